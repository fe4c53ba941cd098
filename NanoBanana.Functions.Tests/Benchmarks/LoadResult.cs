using System.Diagnostics;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>One measured load: how many operations in how long, their latency, and what the front spent on them.</summary>
public sealed record LoadResult(long Requests, double Seconds, double P50Ms, double P99Ms, long Errors)
{
    public double PerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Managed bytes the front's process allocated per request during the run (null when not measured).</summary>
    public double? AllocatedBytesPerRequest { get; init; }

    /// <summary>CPU milliseconds the front's process used per request during the run.</summary>
    public double? CpuMsPerRequest { get; init; }

    public static LoadResult FromTimestamps(IReadOnlyCollection<long> latencies, TimeSpan elapsed, long errors)
    {
        var sorted = latencies.OrderBy(l => l).ToArray();
        return new LoadResult(sorted.Length, elapsed.TotalSeconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99), errors);
    }

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// A closed-loop load from inside a process: <paramref name="connections"/> loops, each issuing the
/// next operation when the last one answered, until the time or the count runs out.
/// </summary>
internal static class LoadLoop
{
    public static async Task<LoadResult> RunAsync(int connections, TimeSpan duration, long maxCount, Func<long, CancellationToken, Task> operation)
    {
        using var stop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30)); // an operation that hangs is an error, not a stuck run
        var latencies = new List<long>[connections];
        long issued = 0, errors = 0;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = [];
            long n;
            while (Stopwatch.GetTimestamp() < end && (n = Interlocked.Increment(ref issued)) <= maxCount)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await operation(n, stop.Token);
                    mine.Add(Stopwatch.GetTimestamp() - t0);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return LoadResult.FromTimestamps(latencies.SelectMany(l => l).ToList(), Stopwatch.GetElapsedTime(started), errors);
    }
}
