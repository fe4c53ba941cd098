using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;

namespace NanoBanana.Functions.Push;

/// <summary>
/// Sends one Web Push message (RFC 8030): the payload encrypted for the browser's keys (RFC 8291,
/// aes128gcm) and signed for the push service with the server's VAPID key (RFC 8292), by
/// Lib.Net.Http.WebPush. 429/5xx and unreachable services are retried with backoff by the "push"
/// HttpClient's resilience handler; what is left is reported, never thrown.
/// </summary>
public sealed class WebPushSender(IHttpClientFactory httpClients, IOptions<PushOptions> options, ILogger<WebPushSender> logger)
{
    public const string HttpClientName = "push";

    /// <summary>Sends <paramref name="payload"/> (serialised as JSON) to one subscription.</summary>
    public async Task<PushOutcome> SendAsync(StoredPushSubscription subscription, object payload, string topic, CancellationToken ct)
    {
        var settings = options.Value;
        using var vapid = new VapidAuthentication(settings.VapidPublicKey!, settings.VapidPrivateKey!) { Subject = settings.VapidSubject! };
        var client = new PushServiceClient(httpClients.CreateClient(HttpClientName))
        {
            DefaultAuthentication = vapid,
            AutoRetryAfter = false, // the resilience handler owns retries
        };
        var target = new PushSubscription { Endpoint = subscription.Endpoint };
        target.SetKey(PushEncryptionKeyName.P256DH, subscription.P256dh);
        target.SetKey(PushEncryptionKeyName.Auth, subscription.Auth);
        var message = new PushMessage(JsonSerializer.Serialize(payload, Api.ApiJson.Options))
        {
            Topic = topic,
            TimeToLive = settings.TimeToLiveSeconds,
            Urgency = PushMessageUrgency.Normal,
        };

        try
        {
            await client.RequestPushMessageDeliveryAsync(target, message, ct);
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
}

public enum PushOutcome
{
    Delivered,

    /// <summary>The push service says the subscription no longer exists (404/410): forget it.</summary>
    Gone,

    Failed,
}
