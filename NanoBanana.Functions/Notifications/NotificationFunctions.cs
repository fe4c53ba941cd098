using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Notifications;

/// <summary>The notification queue's function, and the sweep that re-dispatches what a crash or an outage left in the outbox.</summary>
public sealed class NotificationFunctions(
    GenerationNotifier notifier, NotificationDispatcher dispatcher, NotificationStore store, TimeProvider clock, ILogger<NotificationFunctions> logger)
{
    [Function("NotifyGenerationEnded")]
    public async Task Notify([QueueTrigger("%Storage:QueueName%" + AppQueues.NotificationsSuffix)] string message, CancellationToken ct)
    {
        if (Parse(message) is { } parsed)
        {
            await notifier.HandleAsync(parsed, ct);
        }
    }

    // Messages are written by this app only; anything else is dropped (returning deletes it), not retried.
    private NotificationMessage? Parse(string message)
    {
        try
        {
            if (JsonSerializer.Deserialize<NotificationMessage>(message, ApiJson.Options) is { } parsed)
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
        }

        logger.LogError("Dropped a notification message that is not one ({Length} characters)", message.Length);
        return null;
    }

    /// <summary>The queue gave up on a notification message (it failed every dequeue): its event ends, recorded as poisoned.</summary>
    [Function("RecordUndeliverableNotification")]
    public async Task RecordUndeliverable([QueueTrigger("%Storage:QueueName%" + AppQueues.NotificationsSuffix + AppQueues.PoisonSuffix)] string message, CancellationToken ct)
    {
        if (Parse(message) is not { } parsed)
        {
            return;
        }

        if (await store.MarkPoisonedAsync(parsed.Event, clock.GetUtcNow(), ct))
        {
            logger.LogError("Notification event {EventId} ended poisoned: its message failed every delivery", parsed.Event);
        }
    }

    [Function("NotificationSweep")]
    public async Task Sweep([TimerTrigger("%Maintenance:RepairSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var sent = await dispatcher.DispatchAsync(ct);
        if (sent > 0)
        {
            logger.LogWarning("Notification sweep sent {Sent} messages the dispatcher had not", sent);
        }
    }
}
