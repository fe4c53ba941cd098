using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Push;
using NanoBanana.Functions.Webhooks;

namespace NanoBanana.Functions.Notifications;

/// <summary>
/// Tells an owner that a generation ended: a Web Push message to each of its browsers (id and status,
/// no prompt), and the generation's webhook, attempt after attempt on the retry schedule. All of it
/// happens after the generation's own transaction committed, so neither a dead push service nor a slow
/// receiver can delay or change the generation.
/// </summary>
public sealed class GenerationNotifier(
    NotificationStore store,
    ApiRoleStore generations,
    NotificationQueue queue,
    WebPushSender push,
    WebhookSender webhooks,
    GenerationResults results,
    IOptions<PushOptions> pushOptions,
    IOptions<WebhookOptions> webhookOptions,
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

        if (pushOptions.Value.Enabled)
        {
            await PushAsync(ended, ct);
        }

        await DeliverWebhookAsync(ended, attempt: 1, ct);
        await store.MarkDoneAsync(ended.Id, clock.GetUtcNow(), ct);
    }

    private async Task PushAsync(GenerationEvent ended, CancellationToken ct)
    {
        foreach (var subscription in await store.SubscriptionsOfAsync(ended.OwnerId, ct))
        {
            var outcome = await push.SendAsync(subscription, new { id = ended.GenerationId, status = ended.Status }, Topic(ended.GenerationId), ct);
            if (outcome == PushOutcome.Gone)
            {
                await store.DeleteSubscriptionAsync(subscription.Id, ct);
                logger.LogInformation("Push subscription {SubscriptionId} is gone; deleted", subscription.Id);
            }
        }
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

        var messageId = $"msg_{ended.Id}";
        var eventType = $"generation.{ended.Status}";
        var outcome = await webhooks.SendAsync(url, ended.OwnerId, messageId, await PayloadAsync(ended, eventType, ct), ct);
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

    // Standard Webhooks' envelope: type, timestamp, data (the generation as the API shows it to its owner).
    private async Task<string> PayloadAsync(GenerationEvent ended, string eventType, CancellationToken ct)
    {
        var generation = await generations.FindAsync(ended.OwnerId, ended.GenerationId, ct);
        object? data = generation is null ? new { id = ended.GenerationId, status = ended.Status } : await results.ToResponseAsync(generation, ct);
        return JsonSerializer.Serialize(new { type = eventType, timestamp = ended.OccurredAt, data }, ApiJson.Options);
    }

    // One notification per generation on a phone: a newer one (after a retry) replaces the older.
    private static string Topic(Guid id) => id.ToString("N")[..32];
}
