using System.Globalization;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// The benchmark's size. Full: the shape (32 connections, 15 s per row, 200 users). Tiny: the
/// same steps in seconds, for CI, so the benchmark cannot rot; its figures mean nothing.
/// </summary>
internal sealed record BenchOptions(
    string Size, int Threads, int Connections, TimeSpan Duration, TimeSpan Warmup, int Users, int RowsPerUser, int BackgroundRows,
    int PipelineCount, TimeSpan PacedDuration, int QueueFloorCount, int MemoryMegabytes, int MaintenanceRows)
{
    public bool Maintenance { get; init; }

    /// <summary>Event streams held open for the streams row (issue 23: 1,000 on one instance).</summary>
    public int Streams { get; init; } = 1000;

    /// <summary>
    /// The fixed (open-loop, wrk2-style) poll rate of the maintenance rows, requests/s; null: a quarter of what
    /// the quiet closed loop sustained in the same run.
    /// </summary>
    public double? PacedRate { get; init; }

    /// <summary>Where to write the figures (docs/PERFORMANCE.md's generated section); none: print only.</summary>
    public string? Out { get; init; }

    public static readonly BenchOptions Full = new("full", 2, 32, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(3), 200, 25, 50_000,
        3000, TimeSpan.FromSeconds(15), 3000, 20, 1_000_000);

    public static readonly BenchOptions Tiny = new("tiny", 1, 4, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 4, 21, 100,
        20, TimeSpan.FromSeconds(2), 20, 1, 2_000) { Streams = 20 };

    public const string Usage = "usage: bench [--size full|tiny] [--maintenance] [--maintenance-rows N] [--paced-rate N] [--out docs/PERFORMANCE.md]";

    public static BenchOptions Parse(string[] args)
    {
        var options = Full;
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--size" when args[++i] == "tiny" => Tiny with { Maintenance = options.Maintenance, Out = options.Out, PacedRate = options.PacedRate },
                "--size" when args[i] == "full" => options,
                "--maintenance" => options with { Maintenance = true },
                "--maintenance-rows" => options with { Maintenance = true, MaintenanceRows = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--paced-rate" => options with { Maintenance = true, PacedRate = PositiveRate(args[++i]) },
                "--out" => options with { Out = args[++i] },
                _ => throw new ArgumentException($"unknown argument {args[i]}; {Usage}"),
            };
        }

        return options;
    }

    private static double PositiveRate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0
            ? rate
            : throw new ArgumentException($"--paced-rate takes requests per second, more than 0 (not {text}); {Usage}");
}
