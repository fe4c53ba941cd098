using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// The economy lane's timer, on the repair sweep's schedule (every 30 s): submit what is due, follow the open
/// jobs, keep the promises. Idle, it is four indexed statements and no call to Google.
/// </summary>
public sealed class EconomyFunctions(EconomyBatcher batcher, EconomyFollower follower, ILogger<EconomyFunctions> logger)
{
    [Function("EconomySweep")]
    public async Task Sweep([TimerTrigger("%Maintenance:RepairSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var submitted = await batcher.RunAsync(ct);
        var report = await follower.RunAsync(ct) with { Submitted = submitted };
        logger.Log(report == new EconomyReport(0, 0, 0, 0) ? LogLevel.Debug : LogLevel.Information,
            "Economy sweep: {Submitted} jobs submitted, {Completed} generations completed, {Failed} failed, {Promoted} promoted to the standard lane",
            report.Submitted, report.Completed, report.Failed, report.Promoted);
    }
}
