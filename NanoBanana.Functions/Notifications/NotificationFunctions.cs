using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Notifications;

/// <summary>The notification queue's function, and the sweep that re-dispatches what a crash or an outage left in the outbox.</summary>
public sealed class NotificationFunctions(GenerationNotifier notifier, NotificationDispatcher dispatcher, ILogger<NotificationFunctions> logger)
{
    [Function("NotifyGenerationEnded")]
    public async Task Notify([QueueTrigger("%Storage:QueueName%" + AppQueues.NotificationsSuffix)] string message, CancellationToken ct)
    {
        NotificationMessage? parsed = null;
        try
        {
            parsed = JsonSerializer.Deserialize<NotificationMessage>(message, Api.ApiJson.Options);
        }
        catch (JsonException)
        {
        }

        if (parsed is null)
        {
            logger.LogError("Dropped a notification message that is not one ({Length} characters)", message.Length);
            return;
        }

        await notifier.HandleAsync(parsed, ct);
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
