using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Runs <see cref="AbandonedClaimSweep"/> on every instance every Maintenance__LivenessSweepSeconds
/// (and again when a suspect's grace ends), on the app's clock. Not a timer function: the host runs
/// those as a singleton, at most every few seconds only through a schedule per second; this is one
/// indexed query per instance per interval. Maintenance__LivenessSweepSeconds = 0 turns it off.
/// </summary>
public sealed class AbandonedClaimSweeper(
    AbandonedClaimSweep sweep, IOptions<MaintenanceOptions> options, TimeProvider clock, ILogger<AbandonedClaimSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.LivenessSweep;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(sweep.UntilNextRun(interval), clock, stoppingToken);
                try
                {
                    await sweep.RunAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Postgres away: the next run tries again; suspects are kept, so the grace still counts.
                    logger.LogWarning(exception, "Abandoned-claim sweep failed; trying again in {IntervalSeconds} s", interval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
