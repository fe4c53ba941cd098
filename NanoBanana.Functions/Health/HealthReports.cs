using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Health;

/// <summary>
/// The health checks' latest report, reused for <see cref="HealthOptions.CacheSeconds"/>: <c>/api/health</c> is
/// anonymous, and each run is a Postgres query and two storage calls, so a flood of probes must not be a flood of
/// those. Calls that arrive while a run is under way wait for it rather than starting their own.
/// </summary>
public sealed class HealthReports(HealthCheckService health, IOptions<HealthOptions> options, TimeProvider clock, ILogger<HealthReports> logger)
{
    private readonly object _gate = new();
    private Task<HealthReport>? _run;
    private DateTimeOffset _ranAt = DateTimeOffset.MinValue;

    public Task<HealthReport> LatestAsync(CancellationToken ct)
    {
        Task<HealthReport> run;
        lock (_gate)
        {
            var fresh = _run is { IsCompletedSuccessfully: true } && clock.GetUtcNow() - _ranAt < TimeSpan.FromSeconds(options.Value.CacheSeconds);
            if (_run is null || _run.IsFaulted || (_run.IsCompleted && !fresh))
            {
                _ranAt = clock.GetUtcNow();
                // Not the caller's token: the run is shared, and each check has its own timeout.
                _run = RunAsync();
            }

            run = _run;
        }

        return run.WaitAsync(ct);
    }

    private async Task<HealthReport> RunAsync()
    {
        var report = await health.CheckHealthAsync(CancellationToken.None);
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
        {
            // Logged here, not returned: exception messages can carry host names and settings.
            logger.LogWarning(entry.Exception, "Health check {Check} failed", name);
        }

        return report;
    }
}
