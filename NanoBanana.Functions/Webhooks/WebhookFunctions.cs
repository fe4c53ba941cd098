using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Webhooks;

/// <summary>For server-side callers: the secret their webhooks are signed with, a generation's delivery log, and a redeliver of one of its deliveries.</summary>
public sealed class WebhookFunctions(
    ICallerAuthenticator authenticator, GenerationService generations, SubscriberStore store, WebhookSecrets secrets, WebhookRedelivery redelivery,
    IOptions<WebhookOptions> options)
{
    [Function("GetWebhookSecret")]
    public async Task<Ok<WebhookSecretResponse>> Secret(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "webhooks/secret")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        if (!options.Value.Enabled)
        {
            throw Problems.WebhooksNotConfigured();
        }

        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new WebhookSecretResponse(secrets.SecretFor(caller.UserId)));
    }

    [Function("ListWebhookDeliveries")]
    public async Task<Ok<WebhookDeliveryPageResponse>> Deliveries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations/{id}/webhook-deliveries")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generationId = RouteId.Parse(id);
        await generations.GetVersionAsync(caller.UserId, generationId, ct); // 404 for someone else's, without reading the row
        var deliveries = await store.WebhookDeliveriesAsync(caller.UserId, generationId, ct);
        request.HttpContext.Response.Headers.CacheControl = "private, no-cache";
        return TypedResults.Ok(new WebhookDeliveryPageResponse(deliveries.Select((d, index) => WebhookDeliveryResponse.From(index + 1, d)).ToList()));
    }

    /// <summary>
    /// Sends delivery <paramref name="n"/>'s event again and answers with the new delivery. Synchronous, 200 with the
    /// outcome: someone debugging a receiver wants its answer (status, error, duration) in the reply, not a 202 and a
    /// second request to find out; the wait is bounded by Webhooks__TimeoutSeconds (at most 120 s, inside Azure's 230 s).
    /// </summary>
    [Function("RedeliverWebhook")]
    public async Task<Ok<WebhookDeliveryResponse>> Redeliver(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "generations/{id}/webhook-deliveries/{n}/redeliver")] HttpRequest request,
        string id, string n, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generationId = RouteId.Parse(id);
        if (!options.Value.Enabled)
        {
            throw Problems.WebhooksNotConfigured();
        }

        await generations.GetVersionAsync(caller.UserId, generationId, ct); // 404 for someone else's, like a missing one
        var number = int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var outcome = await redelivery.RedeliverAsync(caller.UserId, generationId, number, ct);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return outcome switch
        {
            RedeliveryOutcome.Sent sent => TypedResults.Ok(WebhookDeliveryResponse.From(sent.Number, sent.Delivery)),
            RedeliveryOutcome.RateLimited limited => throw Problems.RedeliveryRateLimited(limited.PerMinute, limited.RetryAfter),
            RedeliveryOutcome.UnknownDelivery => throw Problems.WebhookDeliveryNotFound(),
            _ => throw Problems.NoWebhook(),
        };
    }
}

public sealed record WebhookSecretResponse(string Secret);

/// <param name="Number">Its place in the generation's log, from 1: the n of .../webhook-deliveries/{n}/redeliver.</param>
/// <param name="RedeliveryOf">For a manual redelivery, the number of the delivery it sent again; null for the schedule's attempts.</param>
public sealed record WebhookDeliveryResponse(
    string WebhookId, string EventType, int Attempt, DateTimeOffset AttemptedAt, int? ResponseStatus, string? Error, int DurationMs,
    bool Succeeded, DateTimeOffset? NextAttemptAt, int Number, int? RedeliveryOf)
{
    public static WebhookDeliveryResponse From(int number, WebhookDelivery d) =>
        new(d.MessageId, d.EventType, d.Attempt, d.AttemptedAt, d.ResponseStatus, d.Error, d.DurationMs, d.Succeeded, d.NextAttemptAt, number, d.RedeliveryOf);
}

public sealed record WebhookDeliveryPageResponse(IReadOnlyList<WebhookDeliveryResponse> Items);
