using System.Text.Json;
using Azure.Storage.Queues;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Notifications;

/// <summary>
/// The queue that drives notifications, <c>{Storage__QueueName}-notifications</c> (<see cref="AppQueues.Notifications"/>): a message names an
/// outbox event (and, for a webhook retry, the attempt), nothing else. A retry is a message that stays
/// invisible until it is due, so a wait of hours holds nothing in the meantime.
/// </summary>
public sealed class NotificationQueue(QueueClient queue)
{
    private readonly CreatedOnFirstUse _queue = new(ct => queue.CreateIfNotExistsAsync(cancellationToken: ct));

    public async Task SendAsync(NotificationMessage message, TimeSpan? delay, CancellationToken ct)
    {
        await _queue.EnsureAsync(ct);
        await queue.SendMessageAsync(JsonSerializer.Serialize(message, ApiJson.Options), delay, TimeSpan.FromSeconds(-1), ct);
    }
}

/// <param name="Event">The generation_events row.</param>
/// <param name="WebhookAttempt">Null for the first pass (push and the webhook's first attempt); n for the webhook's n-th.</param>
public sealed record NotificationMessage(long Event, int? WebhookAttempt = null);
