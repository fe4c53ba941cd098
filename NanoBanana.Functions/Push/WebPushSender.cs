using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Http;
using Polly;
using Polly.Retry;

namespace NanoBanana.Functions.Push;

/// <summary>
/// Sends one Web Push message (RFC 8030): the payload encrypted for the browser's keys (RFC 8291,
/// aes128gcm) and signed for the push service with the server's VAPID key (RFC 8292), by
/// Lib.Net.Http.WebPush. 429/5xx and unreachable services are retried with exponential backoff
/// (honouring Retry-After) by a Polly pipeline around the whole send, since each try needs a freshly
/// encrypted body; what is left is reported, never thrown.
/// </summary>
public sealed class WebPushSender(IHttpClientFactory httpClients, IOptions<PushOptions> options, TimeProvider clock, ILogger<WebPushSender> logger)
{
    public const string HttpClientName = "push";

    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder { TimeProvider = clock }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(options.Value.MaxRetries, 1),
            ShouldHandle = args => ValueTask.FromResult(options.Value.MaxRetries > 0 && IsTransient(args.Outcome.Exception)),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(options.Value.RetryBaseDelayMilliseconds),
            MaxDelay = TimeSpan.FromSeconds(30),
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Exception is PushServiceClientException { Headers.RetryAfter.Delta: { } asked } ? (TimeSpan?)Min(asked, TimeSpan.FromSeconds(30)) : null),
        })
        .Build();

    /// <summary>Sends <paramref name="payload"/> (serialised as JSON) to one subscription.</summary>
    public async Task<PushOutcome> SendAsync(StoredPushSubscription subscription, object payload, string topic, CancellationToken ct)
    {
        var settings = options.Value;
        using var vapid = new VapidAuthentication(settings.VapidPublicKey!, settings.VapidPrivateKey!) { Subject = settings.VapidSubject! };
        var client = new PushServiceClient(httpClients.CreateClient(HttpClientName))
        {
            DefaultAuthentication = vapid,
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid, // RFC 8292: Authorization: vapid t=<JWT>, k=<key>
            AutoRetryAfter = false, // the pipeline owns retries
        };
        var target = new PushSubscription { Endpoint = subscription.Endpoint };
        target.SetKey(PushEncryptionKeyName.P256DH, subscription.P256dh);
        target.SetKey(PushEncryptionKeyName.Auth, subscription.Auth);
        var json = JsonSerializer.Serialize(payload, ApiJson.Options);

        try
        {
            await _retry.ExecuteAsync(async token => await client.RequestPushMessageDeliveryAsync(target, new PushMessage(json)
            {
                Topic = topic,
                TimeToLive = settings.TimeToLiveSeconds,
                Urgency = PushMessageUrgency.Normal,
            }, token), ct);
            return PushOutcome.Delivered;
        }
        catch (PushServiceClientException exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return PushOutcome.Gone;
        }
        catch (Exception exception) when (exception is PushServiceClientException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Push to subscription {SubscriptionId} failed after retries", subscription.Id);
            return PushOutcome.Failed;
        }
    }

    private static bool IsTransient(Exception? exception) => exception switch
    {
        PushServiceClientException pushed => pushed.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)pushed.StatusCode >= 500,
        HttpRequestException or TaskCanceledException => true,
        _ => false,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

public enum PushOutcome
{
    Delivered,

    /// <summary>The push service says the subscription no longer exists (404/410): forget it.</summary>
    Gone,

    Failed,
}
