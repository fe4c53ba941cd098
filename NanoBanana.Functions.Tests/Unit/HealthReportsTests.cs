using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Health;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>An anonymous flood of /api/health cannot become a flood of database and storage calls (issue 20, item 10).</summary>
public sealed class HealthReportsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CountingHealthChecks _checks = new();

    [Fact]
    public async Task AFloodOfProbes_SharesOneRun_AndTheReportIsReusedForTheCachePeriod()
    {
        // Arrange: the first run is held open while 100 probes arrive.
        var reports = new HealthReports(_checks, Options.Create(new HealthOptions { CacheSeconds = 5 }), _clock, NullLogger<HealthReports>.Instance);

        // Act
        var flood = Enumerable.Range(0, 100).Select(_ => reports.LatestAsync(CancellationToken.None)).ToList();
        _checks.Release();
        await Task.WhenAll(flood);
        _clock.Advance(TimeSpan.FromSeconds(4));
        await reports.LatestAsync(CancellationToken.None);
        var runsWithinThePeriod = _checks.Runs;
        _clock.Advance(TimeSpan.FromSeconds(2));
        await reports.LatestAsync(CancellationToken.None);

        // Assert
        Assert.Equal(1, runsWithinThePeriod);
        Assert.Equal(2, _checks.Runs);
    }

    [Fact]
    public async Task WithNoCachePeriod_EveryProbeRunsTheChecks()
    {
        // Arrange
        var reports = new HealthReports(_checks, Options.Create(new HealthOptions { CacheSeconds = 0 }), _clock, NullLogger<HealthReports>.Instance);
        _checks.Release();

        // Act
        await reports.LatestAsync(CancellationToken.None);
        await reports.LatestAsync(CancellationToken.None);

        // Assert
        Assert.Equal(2, _checks.Runs);
    }

    private sealed class CountingHealthChecks : HealthCheckService
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public int Runs => _runs;

        public void Release() => _released.TrySetResult();

        public override async Task<HealthReport> CheckHealthAsync(Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _runs);
            await _released.Task;
            return new HealthReport(new Dictionary<string, HealthReportEntry>
            {
                ["postgres"] = new(HealthStatus.Healthy, null, TimeSpan.Zero, null, null),
            }, TimeSpan.Zero);
        }
    }
}
