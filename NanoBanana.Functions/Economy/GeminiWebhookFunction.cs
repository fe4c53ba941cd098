using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// POST /gemini/webhooks: Google's static Gemini API webhook (batch.* events). Anonymous, since Google sends no
/// token of ours: the Standard Webhooks signature under Economy__WebhookSecret is the authentication, checked
/// on the raw body before anything is parsed. Without the secret there is no such endpoint (404).
/// </summary>
public sealed class GeminiWebhookFunction(GeminiWebhookSignature signature, GeminiWebhooks webhooks, IOptions<EconomyOptions> options)
{
    /// <summary>Google's envelope is a few hundred bytes (ids and a file URI, never results).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    [Function("GeminiWebhook")]
    public async Task<Ok<GeminiWebhookReceipt>> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "gemini/webhooks")] HttpRequest request, CancellationToken ct)
    {
        if (!options.Value.WebhooksEnabled)
        {
            throw Problems.GeminiWebhooksNotConfigured();
        }

        var body = await JsonBody.ReadRawAsync(request, MaxBodyBytes, ct);
        var id = request.Headers["webhook-id"].ToString();
        if (signature.Check(id, request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], body.Span) is { } refused)
        {
            throw Problems.InvalidWebhookSignature(refused);
        }

        var outcome = await webhooks.ReceiveAsync(id, body, ct);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new GeminiWebhookReceipt(JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.ToString())));
    }
}

/// <param name="Outcome">woken, duplicate, job_ended, unknown_job or ignored (<see cref="GeminiWebhookOutcome"/>).</param>
public sealed record GeminiWebhookReceipt(string Outcome);
