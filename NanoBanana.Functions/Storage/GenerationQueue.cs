using Azure.Storage.Queues;

namespace NanoBanana.Functions.Storage;

/// <summary>
/// Sends the message that gets a generation processed. The message is the generation id and nothing
/// else (no prompt, image or key); the client base64-encodes it, which is what the queue trigger
/// decodes by default (host.json extensions.queues.messageEncoding).
/// </summary>
public sealed class GenerationQueue(QueueClient queue)
{
    private readonly CreatedOnFirstUse _queue = new(ct => queue.CreateIfNotExistsAsync(cancellationToken: ct));

    /// <summary>The queue's name (Storage__QueueName): the address an outbox entry is written for.</summary>
    public string Name => queue.Name;

    public Task SendAsync(Guid generationId, CancellationToken ct) => SendAsync(generationId, TimeSpan.Zero, ct);

    /// <param name="delay">How long the message stays invisible: the next attempt waits what Google asked for.</param>
    public async Task SendAsync(Guid generationId, TimeSpan delay, CancellationToken ct)
    {
        await _queue.EnsureAsync(ct);
        // Infinite time-to-live: a message must not silently expire while a generation waits on it.
        await queue.SendMessageAsync(generationId.ToString("D"), visibilityTimeout: delay > TimeSpan.Zero ? delay : null,
            timeToLive: TimeSpan.FromSeconds(-1), ct);
    }

    /// <summary>Throws unless the queue service answers; the queue itself may not exist yet.</summary>
    public async Task CheckAsync(CancellationToken ct) => await queue.ExistsAsync(ct);
}
