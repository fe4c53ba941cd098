using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// Sends the queue message of generations just promoted to the standard lane: row first (the promotion set
/// enqueued_at), then message; a send that fails marks the row not enqueued, and the repair sweep re-sends it.
/// Also ends a job, promoting what of it is left.
/// </summary>
public sealed class PromotedGenerations(
    GenerationQueue queue, MaintenanceRoleStore store, EconomyStore economy, TimeProvider clock, ILogger<PromotedGenerations> logger)
{
    /// <summary>A job is over for us (<paramref name="state"/> as Google said it): what of it nobody completes is promoted, for <paramref name="reason"/>.</summary>
    /// <returns>How many generations were promoted.</returns>
    public async Task<int> EndJobAsync(Guid job, string state, string reason, CancellationToken ct)
    {
        var ids = await economy.PromoteJobAsync(job, reason, refund: false, clock.GetUtcNow(), ct);
        await economy.EndJobAsync(job, state, clock.GetUtcNow(), ct);
        await SendAsync(ids, reason, ct);
        return ids.Count;
    }

    public async Task SendAsync(IEnumerable<Guid> promoted, string reason, CancellationToken ct)
    {
        foreach (var id in promoted)
        {
            logger.LogWarning("Generation {GenerationId} promoted to the standard lane ({Reason}): it runs now, at the standard price", id, reason);
            try
            {
                await queue.SendAsync(id, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Generation {GenerationId} promoted but its message failed; the repair sweep will send it", id);
                await store.MarkNotEnqueuedAsync(id, CancellationToken.None);
            }
        }
    }
}
