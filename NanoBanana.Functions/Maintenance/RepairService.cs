using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Puts back what crashes and outages leave behind, so every generation ends: generations past the
/// caller's deadline end (expired, or cancelled if they were running), expired leases are
/// re-queued (or fail, past the run's limits), pending generations whose message was lost are sent
/// again, and, on a full sweep, blobs that no row refers to are removed. Runs every 30 s, so an idle
/// sweep is one indexed probe (<see cref="MaintenanceRoleStore.SweepDueAsync"/>) and nothing more.
/// </summary>
public sealed class RepairService(
    MaintenanceRoleStore store,
    GenerationQueue queue,
    ImageStore images,
    RunLimits limits,
    IOptions<MaintenanceOptions> options,
    GenerationMetrics metrics,
    TimeProvider clock,
    ILogger<RepairService> logger)
{
    /// <summary>Where the orphan sweep's listing stopped (a Blob Storage continuation), kept between runs.</summary>
    internal const string OrphanSweepPosition = "orphan-blob-sweep";

    /// <param name="sweepOrphanBlobs">Also list the container for blobs no row refers to (the daily and on-demand runs).</param>
    /// <param name="deadline">When the orphan sweep stops (between pages); the next full run carries on from there.</param>
    public async Task<RepairReport> RunAsync(bool sweepOrphanBlobs, CancellationToken ct, DateTimeOffset? deadline = null)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var (leasesOver, unsent, overdue) = await store.SweepDueAsync(now, now - settings.ResendPendingAfter, ct);

        // First: a deadline ends a generation whatever else is due for it (a lease over, a lost message).
        var ended = overdue ? await DrainAsync(() => store.EndOverdueAsync(now, settings.RepairBatchSize, ct)) : [];
        foreach (var (id, status, outcome) in ended)
        {
            metrics.Stopped(status, outcome, "deadline");
            logger.LogWarning("Generation {GenerationId} {Status} at its deadline ({CancelOutcome})", id, status.ToName(), outcome?.ToName());
        }

        var stuck = leasesOver ? await DrainAsync(() => store.FailStuckAsync(now, limits, settings.RepairBatchSize, ct)) : [];
        foreach (var (id, code) in stuck)
        {
            metrics.Failed(code);
            logger.LogWarning("Generation {GenerationId} failed {ErrorCode}: its lease expired with its run's attempts or paid calls used up", id, code);
        }

        // Requeued rows are pending and unsent-as-of-now: the resend below sends their messages.
        var requeued = leasesOver ? await DrainAsync(() => store.RequeueExpiredAsync(now, limits, settings.RepairBatchSize, ct)) : [];
        foreach (var id in requeued)
        {
            logger.LogWarning("Generation {GenerationId} lease expired (its worker stopped beating); queued again", id);
        }

        var due = unsent ? await DrainAsync(() => store.TakeUnsentPendingAsync(now, now - settings.ResendPendingAfter, settings.RepairBatchSize, ct)) : [];
        var (resent, sendFailures) = await SendAsync(requeued, due, ct);
        var (orphans, finished) = sweepOrphanBlobs ? await DeleteOrphanBlobsAsync(now - settings.OrphanBlobGrace, deadline, ct) : (0, true);

        var report = new RepairReport(requeued.Count, stuck.Count, resent, sendFailures, orphans, sweepOrphanBlobs, finished, ended.Count);
        logger.Log(report.DidSomething ? LogLevel.Information : LogLevel.Debug,
            "Repair: {Overdue} past their deadline, {Requeued} requeued, {Stuck} stuck, {Resent} messages re-sent ({SendFailures} failed), {OrphanBlobs} orphan blobs deleted",
            report.Overdue, report.Requeued, report.Stuck, report.Resent, report.SendFailures, report.OrphanBlobsDeleted);
        return report;
    }

    private async Task<(int Sent, int Failed)> SendAsync(List<Guid> requeued, List<Guid> due, CancellationToken ct)
    {
        int sent = 0, failed = 0;
        foreach (var (id, lost) in requeued.Select(id => (id, false)).Concat(due.Select(id => (id, true))))
        {
            try
            {
                await queue.SendAsync(id, ct);
                sent++;
                if (lost)
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

    // A page at a time, keeping the listing's continuation in the database after each, so a container
    // larger than one run's budget is swept across runs instead of from its start every time.
    private async Task<(int Deleted, bool Finished)> DeleteOrphanBlobsAsync(DateTimeOffset olderThan, DateTimeOffset? deadline, CancellationToken ct)
    {
        var position = await store.ReadStateAsync(OrphanSweepPosition, ct);
        var deleted = 0;
        do
        {
            var (names, next) = await images.ListPageOlderThanAsync(olderThan, position, options.Value.RepairBatchSize, ct);
            var byGeneration = names
                .Select(name => (Name: name, HasId: BlobNames.TryGetGenerationId(name, out var id), Id: id))
                .ToList();
            var referenced = await store.ReferencedBlobsAsync(byGeneration.Where(b => b.HasId).Select(b => b.Id).Distinct().ToList(), ct);
            var orphans = byGeneration
                .Where(b => !b.HasId || !referenced.TryGetValue(b.Id, out var kept) || !kept.Contains(b.Name))
                .Select(b => b.Name)
                .ToList();
            await images.DeleteAsync(orphans, ct);
            deleted += orphans.Count;

            position = next;
            await store.SaveStateAsync(OrphanSweepPosition, position, clock.GetUtcNow(), ct);
            if (position is not null && clock.GetUtcNow() >= deadline)
            {
                logger.LogWarning("Orphan sweep stopped at its deadline after {OrphanBlobs} deletions; the next full repair carries on where it stopped", deleted);
                return (deleted, false);
            }
        }
        while (position is not null);

        if (deleted > 0)
        {
            logger.LogWarning("Deleted {OrphanBlobs} blobs that no generation refers to", deleted);
        }

        return (deleted, true);
    }

    // Runs a batched statement until a batch comes back short.
    private async Task<List<T>> DrainAsync<T>(Func<Task<List<T>>> batch)
    {
        var all = new List<T>();
        List<T> taken;
        do
        {
            taken = await batch();
            all.AddRange(taken);
        }
        while (taken.Count == options.Value.RepairBatchSize);

        return all;
    }
}

/// <param name="Finished">False when the orphan sweep stopped at its deadline with more to list: run the full repair again.</param>
/// <param name="Overdue">Generations ended because the caller's deadline passed (expired or cancelled).</param>
public sealed record RepairReport(
    int Requeued, int Stuck, int Resent, int SendFailures, int OrphanBlobsDeleted, bool SweptOrphanBlobs, bool Finished, int Overdue = 0)
{
    internal bool DidSomething => Overdue + Requeued + Stuck + Resent + SendFailures + OrphanBlobsDeleted > 0;
}
