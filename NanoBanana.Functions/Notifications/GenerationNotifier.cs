using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Push;
using NanoBanana.Functions.Webhooks;

namespace NanoBanana.Functions.Notifications;

/// <summary>
/// Tells an owner that a generation ended: a Web Push message to each of its browsers (id and status,
/// no prompt; a Declarative Web Push notification too when the page's URL is set), and the generation's
/// webhook, attempt after attempt on the retry schedule. All of it happens after the generation's own
/// transaction committed, so neither a dead push service nor a slow receiver can delay or change the
/// generation.
/// </summary>
public sealed class GenerationNotifier(
    NotificationStore store,
    NotificationQueue queue,
    WebPushSender push,
    WebhookSender webhooks,
    WebhookPayloads payloads,
    IOptions<PushOptions> pushOptions,
    IOptions<WebhookOptions> webhookOptions,
    IOptions<NotificationOptions> notificationOptions,
    TimeProvider clock,
    ILogger<GenerationNotifier> logger)
{
    public async Task HandleAsync(NotificationMessage message, CancellationToken ct)
    {
        if (await store.FindEventAsync(message.Event, ct) is not { } ended)
        {
            return; // the generation was deleted since
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["GenerationId"] = ended.GenerationId });
        if (message.WebhookAttempt is { } attempt)
        {
            await DeliverWebhookAsync(ended, attempt, ct);
            return;
        }

        if (ended.Done)
        {
            return; // a repeated message
        }

        var pushed = !pushOptions.Value.Enabled || await PushAsync(ended, ct);
        await DeliverWebhookAsync(ended, attempt: 1, ct);
        if (pushed)
        {
            await store.MarkDoneAsync(ended.Id, clock.GetUtcNow(), ct);
        }
        else
        {
            // Left unfinished: the sweep dispatches it again (a bounded number of times), for the subscriptions not reached.
            logger.LogWarning("Notification event {EventId}: some pushes failed; left for a re-dispatch", ended.Id);
        }
    }

    /// <summary>
    /// Every subscription the event has not reached, in parallel, under one time budget: a push service that never
    /// answers costs the event its budget, not a 30 s timeout per subscription one after another.
    /// </summary>
    /// <returns>Whether every subscription was reached (or is gone).</returns>
    private async Task<bool> PushAsync(GenerationEvent ended, CancellationToken ct)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(notificationOptions.Value.SendBudgetSeconds), clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        var subscriptions = await store.SubscriptionsToPushAsync(ended.OwnerId, ended.Id, ct);
        var outcomes = await Task.WhenAll(subscriptions.Select(subscription => PushOneAsync(ended, subscription, linked.Token)));
        ct.ThrowIfCancellationRequested();
        return outcomes.All(reached => reached);
    }

    private async Task<bool> PushOneAsync(GenerationEvent ended, StoredPushSubscription subscription, CancellationToken ct)
    {
        PushOutcome outcome;
        try
        {
            outcome = await push.SendAsync(subscription, GenerationPushPayload.For(ended.GenerationId, ended.Status, pushOptions.Value.NotificationUrl), Topic(ended.GenerationId), ct);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Push to subscription {SubscriptionId} ran out of the event's time budget", subscription.Id);
            return false;
        }

        if (outcome == PushOutcome.Failed)
        {
            return false;
        }

        // Recorded whatever the caller's token says: the push went out, a re-dispatch must not send it again.
        await store.RecordPushDeliveryAsync(ended.Id, subscription.Id, clock.GetUtcNow(), CancellationToken.None);
        if (outcome == PushOutcome.Gone)
        {
            await store.DeleteSubscriptionAsync(subscription.Id, CancellationToken.None);
            logger.LogInformation("Push subscription {SubscriptionId} is gone; deleted", subscription.Id);
        }

        return true;
    }

    private async Task DeliverWebhookAsync(GenerationEvent ended, int attempt, CancellationToken ct)
    {
        if (ended.WebhookUrl is not { } url || !ended.WebhookEvents.Contains(ended.Status) || !webhookOptions.Value.Enabled
            || attempt > webhookOptions.Value.MaxAttempts)
        {
            return;
        }

        var (made, delivered) = await store.WebhookProgressAsync(ended.Id, ct);
        if (delivered || made >= attempt)
        {
            return; // a repeated message: this attempt is already in the log
        }

        var messageId = WebhookPayloads.MessageIdOf(ended);
        var eventType = WebhookPayloads.EventTypeOf(ended);
        var outcome = await webhooks.SendAsync(url, ended.OwnerId, messageId, await payloads.ForAsync(ended, ct), redelivery: false, ct);
        var retryIn = outcome.Succeeded ? null : webhookOptions.Value.RetryDelayAfter(attempt);
        await store.RecordDeliveryAsync(new WebhookDelivery(
            ended.GenerationId, ended.OwnerId, ended.Id, messageId, eventType, attempt, outcome.At, outcome.Status, outcome.Error,
            outcome.DurationMs, outcome.Succeeded, outcome.At + retryIn), ct);
        if (retryIn is { } delay)
        {
            logger.LogWarning("Webhook {MessageId} attempt {WebhookAttempt} failed ({Error}); next in {RetrySeconds} s",
                messageId, attempt, outcome.Error, (int)delay.TotalSeconds);
            await queue.SendAsync(new NotificationMessage(ended.Id, attempt + 1), delay, ct);
        }
        else if (!outcome.Succeeded)
        {
            logger.LogWarning("Webhook {MessageId} given up after {WebhookAttempt} attempts ({Error})", messageId, attempt, outcome.Error);
        }
    }

    // One notification per generation on a phone: a newer one (after a retry) replaces the older.
    private static string Topic(Guid id) => id.ToString("N")[..32];
}
