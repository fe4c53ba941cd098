using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace NanoBanana.Functions.Webhooks;

/// <summary>
/// Posts one webhook, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)
/// with the owner's secret, through the "webhooks" HttpClient (connects only to allowed addresses,
/// follows no redirect, gives up after <see cref="WebhookOptions.TimeoutSeconds"/>). Never throws for
/// the receiver's sake: its answer, or why there was none, is the outcome.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClients, WebhookSecrets secrets, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";

    /// <summary>On a manual redelivery only: not part of Standard Webhooks, so a receiver that ignores it still dedupes on webhook-id.</summary>
    public const string RedeliveryHeader = "webhook-redelivery";

    /// <param name="redelivery">A manual redelivery: marked with <see cref="RedeliveryHeader"/>, signed like any delivery.</param>
    public async Task<WebhookAttempt> SendAsync(Uri url, string ownerId, string messageId, string payload, bool redelivery, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var signature = new StandardWebhook(secrets.KeyFor(ownerId)).Sign(messageId, now, payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        if (redelivery)
        {
            request.Headers.Add(RedeliveryHeader, "true");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new WebhookAttempt(now, status, response.IsSuccessStatusCode ? null : $"HTTP {status}", Elapsed(started));
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var error = exception is OperationCanceledException ? $"no answer within {options.Value.TimeoutSeconds} s" : exception.Message;
            return new WebhookAttempt(now, null, error, Elapsed(started));
        }
    }

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

/// <param name="Error">Null when the receiver answered 2xx.</param>
public sealed record WebhookAttempt(DateTimeOffset At, int? Status, string? Error, int DurationMs)
{
    public bool Succeeded => Error is null;
}
