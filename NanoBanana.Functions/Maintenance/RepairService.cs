using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Puts back what crashes and outages leave behind, so every generation ends: expired leases are
/// re-queued (or fail STUCK past the attempt limit), pending generations whose message was lost
/// are sent again, and, on a full sweep, blobs that no row refers to are removed.
/// </summary>
public sealed class RepairService(
    MaintenanceRoleStore store,
    GenerationQueue queue,
    ImageStore images,
    IOptions<MaintenanceOptions> options,
    IOptions<ProcessingOptions> processing,
    GenerationMetrics metrics,
    TimeProvider clock,
    ILogger<RepairService> logger)
{
    /// <param name="sweepOrphanBlobs">Also list the container for blobs no row refers to (the daily and on-demand runs).</param>
    /// <param name="deadline">When the orphan sweep stops (between pages); the next full run carries on.</param>
    public async Task<RepairReport> RunAsync(bool sweepOrphanBlobs, CancellationToken ct, DateTimeOffset? deadline = null)
    {
        var settings = options.Value;
        var maxAttempts = processing.Value.MaxAttempts;
        var now = clock.GetUtcNow();

        var stuck = await DrainAsync(() => store.FailStuckAsync(now, maxAttempts, settings.RepairBatchSize, ct));
        foreach (var id in stuck)
        {
            metrics.Failed(GenerationErrorCodes.Stuck);
            logger.LogWarning("Generation {GenerationId} failed {ErrorCode}: its lease expired with no attempts left", id, GenerationErrorCodes.Stuck);
        }

        // Requeued rows are pending and unsent-as-of-now: the resend below sends their messages.
        var requeued = await DrainAsync(() => store.RequeueExpiredAsync(now, maxAttempts, settings.RepairBatchSize, ct));
        foreach (var id in requeued)
        {
            logger.LogWarning("Generation {GenerationId} lease expired; queued again", id);
        }

        var (resent, sendFailures) = await ResendAsync(now, requeued, settings, ct);
        var orphans = sweepOrphanBlobs ? await DeleteOrphanBlobsAsync(now - settings.OrphanBlobGrace, deadline, ct) : 0;

        var report = new RepairReport(requeued.Count, stuck.Count, resent, sendFailures, orphans, sweepOrphanBlobs);
        logger.LogInformation(
            "Repair: {Requeued} requeued, {Stuck} stuck, {Resent} messages re-sent ({SendFailures} failed), {OrphanBlobs} orphan blobs deleted",
            report.Requeued, report.Stuck, report.Resent, report.SendFailures, report.OrphanBlobsDeleted);
        return report;
    }

    private async Task<(int Sent, int Failed)> ResendAsync(DateTimeOffset now, List<Guid> requeued, MaintenanceOptions settings, CancellationToken ct)
    {
        var due = await DrainAsync(() => store.TakeUnsentPendingAsync(now, now - settings.ResendPendingAfter, settings.RepairBatchSize, ct));
        int sent = 0, failed = 0;
        foreach (var id in requeued.Concat(due))
        {
            try
            {
                await queue.SendAsync(id, ct);
                sent++;
                if (!requeued.Contains(id))
                {
                    logger.LogWarning("Generation {GenerationId} was pending without a live message; message sent again", id);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogWarning(exception, "Generation {GenerationId}: message not sent; the next repair tries again", id);
                await store.MarkNotEnqueuedAsync(id, ct);
            }
        }

        return (sent, failed);
    }

    private async Task<int> DeleteOrphanBlobsAsync(DateTimeOffset olderThan, DateTimeOffset? deadline, CancellationToken ct)
    {
        var deleted = 0;
        await foreach (var page in images.ListOlderThanAsync(olderThan, pageSize: 500, ct))
        {
            if (clock.GetUtcNow() >= deadline)
            {
                logger.LogWarning("Orphan sweep stopped at its deadline; the next full repair carries on");
                break;
            }

            var byGeneration = page
                .Select(name => (Name: name, HasId: BlobNames.TryGetGenerationId(name, out var id), Id: id))
                .ToList();
            var referenced = await store.ReferencedBlobsAsync(byGeneration.Where(b => b.HasId).Select(b => b.Id).Distinct().ToList(), ct);
            var orphans = byGeneration
                .Where(b => !b.HasId || !referenced.TryGetValue(b.Id, out var names) || !names.Contains(b.Name))
                .Select(b => b.Name)
                .ToList();
            await images.DeleteAsync(orphans, ct);
            deleted += orphans.Count;
        }

        if (deleted > 0)
        {
            logger.LogWarning("Deleted {OrphanBlobs} blobs that no generation refers to", deleted);
        }

        return deleted;
    }

    // Runs a batched statement until a batch comes back short.
    private async Task<List<Guid>> DrainAsync(Func<Task<List<Guid>>> batch)
    {
        var all = new List<Guid>();
        List<Guid> taken;
        do
        {
            taken = await batch();
            all.AddRange(taken);
        }
        while (taken.Count == options.Value.RepairBatchSize);

        return all;
    }
}

public sealed record RepairReport(int Requeued, int Stuck, int Resent, int SendFailures, int OrphanBlobsDeleted, bool SweptOrphanBlobs);
