using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Hands back, in seconds, the claims whose worker died: a claim marked live whose liveness lock
/// (<see cref="Processing.LivenessSession"/>) nobody holds. A claim is first only suspected; if its
/// lock is still gone Maintenance__LivenessGraceSeconds later (a live instance whose session dropped
/// has taken it back by then), it goes back to pending through the fenced transition and its message
/// is sent at once; at a limit of its run it fails as the repair would. The lease and the repair
/// sweep stay the fallback for everything this does not see.
/// </summary>
public sealed class AbandonedClaimSweep(
    MaintenanceRoleStore store,
    GenerationQueue queue,
    RunLimits limits,
    IOptions<MaintenanceOptions> options,
    GenerationMetrics metrics,
    TimeProvider clock,
    ILogger<AbandonedClaimSweep> logger) : IDisposable
{
    // Claims seen unlocked, and when first: what this instance suspects. Another instance keeps its own;
    // whichever's grace ends first hands the claim back, the others then find nothing.
    private readonly Dictionary<(Guid Id, int Attempt), DateTimeOffset> _suspects = [];
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>When the earliest suspect's grace ends (the sweeper looks again then), or null with none.</summary>
    public DateTimeOffset? NextDue { get; private set; }

    /// <summary>How long until the next run: the interval, or less when a suspect's grace ends sooner.</summary>
    public TimeSpan UntilNextRun(TimeSpan interval)
    {
        var untilDue = NextDue - clock.GetUtcNow();
        return untilDue is { } due && due < interval ? (due > TimeSpan.Zero ? due : TimeSpan.Zero) : interval;
    }

    public async Task<AbandonedClaimReport> RunAsync(CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var settings = options.Value;
            var now = clock.GetUtcNow();
            var unlocked = await store.UnlockedClaimsAsync(settings.RepairBatchSize, ct);

            // Forget what is no longer unlocked (its session took the lock back, or the claim ended).
            foreach (var gone in _suspects.Keys.Except(unlocked).ToList())
            {
                _suspects.Remove(gone);
            }

            foreach (var claim in unlocked)
            {
                _suspects.TryAdd(claim, now);
            }

            var due = _suspects.Where(s => now - s.Value >= settings.LivenessGrace).Select(s => s.Key).ToList();
            var (requeued, stuck) = due.Count == 0 ? ([], []) : await HandBackAsync(due, now, ct);
            foreach (var claim in due)
            {
                _suspects.Remove(claim);
            }

            NextDue = _suspects.Count == 0 ? null : _suspects.Values.Min() + settings.LivenessGrace;
            var report = new AbandonedClaimReport(_suspects.Count, requeued.Count, stuck.Count);
            logger.Log(report.Suspected + report.Requeued + report.Stuck > 0 ? LogLevel.Information : LogLevel.Debug,
                "Abandoned claims: {Suspected} suspected, {Requeued} handed back, {Stuck} failed at their run's limits",
                report.Suspected, report.Requeued, report.Stuck);
            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<(List<Guid> Requeued, List<(Guid Id, string ErrorCode)> Stuck)> HandBackAsync(
        List<(Guid Id, int Attempt)> due, DateTimeOffset now, CancellationToken ct)
    {
        var stuck = await store.FailAbandonedAsync(due, now, limits, ct);
        foreach (var (id, code) in stuck)
        {
            metrics.Failed(code);
            metrics.AbandonedClaim("failed");
            logger.LogWarning("Generation {GenerationId} failed {ErrorCode}: its worker died with its run's attempts or paid calls used up", id, code);
        }

        var requeued = await store.RequeueAbandonedAsync(due, now, limits, ct);
        foreach (var id in requeued)
        {
            metrics.AbandonedClaim("requeued");
            try
            {
                await queue.SendAsync(id, ct);
                logger.LogWarning("Generation {GenerationId}: its worker died (liveness lock gone); queued again", id);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Generation {GenerationId}: handed back but its message not sent; the repair sweep sends it", id);
                await store.MarkNotEnqueuedAsync(id, ct);
            }
        }

        return (requeued, stuck);
    }

    public void Dispose() => _oneAtATime.Dispose();
}

/// <param name="Suspected">Claims seen unlocked whose grace has not ended yet.</param>
public sealed record AbandonedClaimReport(int Suspected, int Requeued, int Stuck);
