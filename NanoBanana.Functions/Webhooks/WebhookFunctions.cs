using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Webhooks;

/// <summary>For server-side callers: the secret their webhooks are signed with, and a generation's delivery log.</summary>
public sealed class WebhookFunctions(
    ICallerAuthenticator authenticator, GenerationService generations, SubscriberStore store, WebhookSecrets secrets, IOptions<WebhookOptions> options)
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
        return TypedResults.Ok(new WebhookDeliveryPageResponse(deliveries.Select(d => new WebhookDeliveryResponse(
            d.MessageId, d.EventType, d.Attempt, d.AttemptedAt, d.ResponseStatus, d.Error, d.DurationMs, d.Succeeded, d.NextAttemptAt)).ToList()));
    }
}

public sealed record WebhookSecretResponse(string Secret);

public sealed record WebhookDeliveryResponse(
    string WebhookId, string EventType, int Attempt, DateTimeOffset AttemptedAt, int? ResponseStatus, string? Error, int DurationMs,
    bool Succeeded, DateTimeOffset? NextAttemptAt);

public sealed record WebhookDeliveryPageResponse(IReadOnlyList<WebhookDeliveryResponse> Items);
