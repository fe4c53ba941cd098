using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Health;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Push;
using NanoBanana.Functions.Webhooks;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Each endpoint of the API as a method, so tests read like the HTTP calls a phone makes.</summary>
internal sealed class ApiClient(FunctionApp app)
{
    private readonly GenerationFunctions _generations = app.Function<GenerationFunctions>();
    private readonly GenerationActionFunctions _actions = app.Function<GenerationActionFunctions>();
    private readonly HealthFunction _health = app.Function<HealthFunction>();
    private readonly GenerationImageFunction _image = app.Function<GenerationImageFunction>();
    private readonly PushSubscriptionFunctions _push = app.Function<PushSubscriptionFunctions>();
    private readonly WebhookFunctions _webhooks = app.Function<WebhookFunctions>();
    private readonly ModelsFunction _models = app.Function<ModelsFunction>();
    private readonly EventFunctions _events = app.Function<EventFunctions>();

    /// <summary>
    /// Whether a create or a retry that was accepted returns only once the app's queue outbox is empty: the
    /// API answers at its commit and the dispatcher sends the message a moment later, so without the wait a
    /// test that reads (or clears) the queue right after would race it. Off for tests of the outbox itself
    /// and of a queue that is down (the entry stays, and the wait would fail).
    /// </summary>
    public bool AwaitsQueueMessages { get; set; } = true;

    public Task<TestResponse> CreateAsync(string? token, object body, IDictionary<string, string>? headers = null) =>
        CreateRawAsync(token, JsonSerializer.Serialize(body, ApiJson.Options), headers: headers);

    public async Task<TestResponse> CreateRawAsync(string? token, string body, string contentType = "application/json", IDictionary<string, string>? headers = null) =>
        await MessagesSentAsync(await app.InvokeAsync(app.Request("POST", "/api/generations", token, body, contentType, headers),
            async r => await _generations.Create(r, CancellationToken.None)));

    /// <param name="prefer">E.g. "wait=30": a long-poll (RFC 7240).</param>
    public Task<TestResponse> GetAsync(string? token, string id, string? ifNoneMatch = null, string? prefer = null)
    {
        var headers = new Dictionary<string, string>();
        if (ifNoneMatch is not null)
        {
            headers["If-None-Match"] = ifNoneMatch;
        }

        if (prefer is not null)
        {
            headers["Prefer"] = prefer;
        }

        return app.InvokeAsync(app.Request("GET", $"/api/generations/{id}", token, headers: headers),
            async r => await _generations.Get(r, id, CancellationToken.None));
    }

    public Task<TestResponse> ListAsync(string? token, string query = "") =>
        app.InvokeAsync(app.Request("GET", "/api/generations" + query, token),
            async r => await _generations.List(r, CancellationToken.None));

    /// <summary>A generation's event stream, read in-process to its end (it must end: the generation ended, or the clock passed its limit).</summary>
    public Task<TestResponse> EventsAsync(string? token, string id, string? lastEventId = null, string query = "") =>
        app.InvokeAsync(app.Request("GET", $"/api/generations/{id}/events{query}", token,
                headers: lastEventId is null ? null : new Dictionary<string, string> { ["Last-Event-ID"] = lastEventId }),
            async r => await _events.Generation(r, id, CancellationToken.None));

    public async Task<TestResponse> RetryAsync(string? token, string id) =>
        await MessagesSentAsync(await app.InvokeAsync(app.Request("POST", $"/api/generations/{id}/retry", token),
            async r => await _actions.Retry(r, id, CancellationToken.None)));

    public Task<TestResponse> CancelAsync(string? token, string id) =>
        app.InvokeAsync(app.Request("POST", $"/api/generations/{id}/cancel", token),
            async r => await _actions.Cancel(r, id, CancellationToken.None));

    public Task<TestResponse> DeleteAsync(string? token, string id) =>
        app.InvokeAsync(app.Request("DELETE", $"/api/generations/{id}", token),
            async r => await _actions.Delete(r, id, CancellationToken.None));

    public Task<TestResponse> ImageAsync(string? token, string id, string query = "") =>
        app.InvokeAsync(app.Request("GET", $"/api/generations/{id}/image{query}", token),
            async r => await _image.Get(r, id, CancellationToken.None));

    public Task<TestResponse> SubscribeAsync(string? token, object subscription) =>
        app.InvokeAsync(app.Request("POST", "/api/push-subscriptions", token, JsonSerializer.Serialize(subscription, ApiJson.Options)),
            async r => await _push.Save(r, CancellationToken.None));

    public Task<TestResponse> UnsubscribeAsync(string? token, string endpoint) =>
        app.InvokeAsync(app.Request("DELETE", $"/api/push-subscriptions?endpoint={Uri.EscapeDataString(endpoint)}", token),
            async r => await _push.Delete(r, CancellationToken.None));

    public Task<TestResponse> VapidPublicKeyAsync(string? token) =>
        app.InvokeAsync(app.Request("GET", "/api/push/vapid-public-key", token), async r => await _push.PublicKey(r, CancellationToken.None));

    public Task<TestResponse> WebhookSecretAsync(string? token) =>
        app.InvokeAsync(app.Request("GET", "/api/webhooks/secret", token), async r => await _webhooks.Secret(r, CancellationToken.None));

    public Task<TestResponse> WebhookDeliveriesAsync(string? token, string id) =>
        app.InvokeAsync(app.Request("GET", $"/api/generations/{id}/webhook-deliveries", token),
            async r => await _webhooks.Deliveries(r, id, CancellationToken.None));

    public Task<TestResponse> RedeliverWebhookAsync(string? token, string id, string n) =>
        app.InvokeAsync(app.Request("POST", $"/api/generations/{id}/webhook-deliveries/{n}/redeliver", token),
            async r => await _webhooks.Redeliver(r, id, n, CancellationToken.None));

    public Task<TestResponse> ModelsAsync(string? token) =>
        app.InvokeAsync(app.Request("GET", "/api/models", token), async r => await _models.List(r, CancellationToken.None));

    public Task<TestResponse> HealthAsync() =>
        app.InvokeAsync(app.Request("GET", "/api/health"), async r => await _health.Run(r, CancellationToken.None));

    public Task<TestResponse> HealthDetailsAsync() =>
        app.InvokeAsync(app.Request("GET", "/api/maintenance/health"), async r => await _health.Details(r, CancellationToken.None));

    private async Task<TestResponse> MessagesSentAsync(TestResponse response)
    {
        if (AwaitsQueueMessages && response.Status is >= 200 and < 300)
        {
            await app.OutboxEmptyAsync();
        }

        return response;
    }

    /// <summary>Creates a text-only generation and returns it (asserting the 202).</summary>
    public async Task<GenerationResponse> CreateGenerationAsync(string token, string prompt = "a banana in space")
    {
        var response = await CreateAsync(token, new { prompt });
        Assert.True(response.Status == StatusCodes.Status202Accepted,
            $"{response}\n{string.Join('\n', app.Logs.Lines.Where(l => l.Exception is not null).Select(l => l.Exception))}");
        return response.Generation;
    }
}
