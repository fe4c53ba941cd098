using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Maintenance;

/// <summary>The scheduled work: the daily cleanup (then a full repair), and the frequent repair sweep.</summary>
public sealed class MaintenanceTimers(CleanupService cleanup, RepairService repair, IOptions<MaintenanceOptions> options, TimeProvider clock)
{
    [Function("DailyCleanup")]
    public async Task DailyCleanup([TimerTrigger("%Maintenance:CleanupSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        // One deadline for the whole run, inside host.json functionTimeout.
        var deadline = clock.GetUtcNow() + options.Value.RunBudget;
        await cleanup.RunAsync(deadline, ct);
        await repair.RunAsync(sweepOrphanBlobs: true, ct, deadline);
    }

    /// <summary>Frequent, so a job stuck after a crash ends within minutes; orphan blobs wait for the daily run (it lists the container).</summary>
    [Function("RepairSweep")]
    public async Task RepairSweep([TimerTrigger("%Maintenance:RepairSchedule%")] TimerInfo timer, CancellationToken ct) =>
        await repair.RunAsync(sweepOrphanBlobs: false, ct);
}
