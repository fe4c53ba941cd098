using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;

namespace NanoBanana.Functions.Webhooks;

/// <summary>
/// Sends a logged delivery's event again, now, for an owner debugging its receiver: the same payload
/// and webhook-id (receivers dedupe on it), signed afresh (a new webhook-timestamp, which receivers check
/// against replays), marked with the webhook-redelivery header, through the same <see cref="WebhookSender"/>
/// and so the same address checks at connect time as every delivery. Recorded as a new row of the log.
/// A one-off: a failed redelivery schedules nothing; a successful one ends the event's retry schedule.
/// </summary>
public sealed class WebhookRedelivery(
    SubscriberStore subscribers,
    NotificationStore notifications,
    WebhookRedeliveryStore limits,
    WebhookSender sender,
    WebhookPayloads payloads,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookRedelivery> logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <param name="number">The delivery's number in the generation's log (1 = oldest), as the log lists it.</param>
    /// <remarks>The caller has checked that the generation is the owner's.</remarks>
    public async Task<RedeliveryOutcome> RedeliverAsync(string ownerId, Guid generationId, int number, CancellationToken ct)
    {
        var log = await subscribers.WebhookDeliveriesAsync(ownerId, generationId, ct);
        if (number < 1 || number > log.Count)
        {
            return await subscribers.HasWebhookAsync(ownerId, generationId, ct) ? new RedeliveryOutcome.UnknownDelivery() : new RedeliveryOutcome.NoWebhook();
        }

        if (await limits.TryReserveAsync(generationId, clock.GetUtcNow(), Window, options.Value.RedeliveriesPerMinute, ct) is { } wait)
        {
            return new RedeliveryOutcome.RateLimited(options.Value.RedeliveriesPerMinute, wait);
        }

        var original = log[number - 1];
        if (await notifications.FindEventAsync(original.EventId, ct) is not { WebhookUrl: { } url } ended)
        {
            return new RedeliveryOutcome.NoWebhook(); // deleted since the log was read
        }

        var outcome = await sender.SendAsync(url, ownerId, original.MessageId, await payloads.ForAsync(ended, ct), redelivery: true, ct);
        // Attempt 1 of its own: a redelivery is not a step of the retry schedule, and schedules none (NextAttemptAt null).
        var delivery = new WebhookDelivery(
            generationId, ownerId, original.EventId, original.MessageId, original.EventType, Attempt: 1, outcome.At, outcome.Status, outcome.Error,
            outcome.DurationMs, outcome.Succeeded, NextAttemptAt: null, RedeliveryOf: number);
        var recorded = await notifications.RecordDeliveryAsync(delivery, CancellationToken.None); // it was sent: log it even if the caller left
        logger.LogInformation("Webhook {MessageId} redelivered on request (delivery {Number} sent again as {Recorded}): {Outcome}",
            original.MessageId, number, recorded, outcome.Error ?? "delivered");
        return new RedeliveryOutcome.Sent(recorded, delivery);
    }
}

/// <summary>What a redeliver request came to; the HTTP function turns each into its answer.</summary>
public abstract record RedeliveryOutcome
{
    private RedeliveryOutcome()
    {
    }

    /// <summary>The generation was created without a webhook.</summary>
    public sealed record NoWebhook : RedeliveryOutcome;

    /// <summary>No delivery with that number in the generation's log.</summary>
    public sealed record UnknownDelivery : RedeliveryOutcome;

    public sealed record RateLimited(int PerMinute, TimeSpan RetryAfter) : RedeliveryOutcome;

    /// <param name="Number">The new delivery's number in the log.</param>
    public sealed record Sent(int Number, WebhookDelivery Delivery) : RedeliveryOutcome;
}
