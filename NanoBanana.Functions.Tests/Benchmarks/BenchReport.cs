using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>One run's figures, their ratios to the floors of the same run, and the issue's goals against them.</summary>
internal sealed class BenchReport(BenchOptions options)
{
    public const string FloorRow = "floor: a one-line HTTP function through the same front";
    public const string PollRow = "`GET /generations/{id}` (200)";
    public const string NotModifiedRow = "`GET /generations/{id}` with `If-None-Match` (304)";
    public const string HistoryRow = "`GET /generations?limit=20`";
    public const string CreateRow = "`POST /generations` (worker running)";
    public const string QuietPollRow = "poll (200), quiet";
    public const string CleanupPollRow = "poll (200) while the cleanup deletes";
    public const string PollWithStreamsRow = "`GET /generations/{id}` (200) with event streams open";

    public string LoadBefore { get; set; } = "";
    public string LoadAfter { get; set; } = "";
    public string? PostgresVersion { get; set; }
    public bool Statements { get; set; }
    public Dictionary<string, List<StatementStat>> StatementsByRow { get; } = [];

    public LoadResult Floor { get; set; } = null!;
    public LoadResult Poll { get; set; } = null!;
    public LoadResult NotModified { get; set; } = null!;
    public LoadResult History { get; set; } = null!;
    public LoadResult Create { get; set; } = null!;
    public LoadResult PollWithStreams { get; set; } = null!;
    public int StreamsOpenAtTheEnd { get; set; }

    /// <summary>The create row's generations no worker had claimed when it ended, cancelled unsent (BenchRows.CancelPendingAsync).</summary>
    public long CreateBacklogCancelled { get; set; }
    public LoadResult EnqueueFloor { get; set; } = null!;
    public LoadResult PostgresFloor { get; set; } = null!;
    public LoadResult QueueFloor { get; set; } = null!;
    public PipelineResult Pipeline { get; set; } = null!;
    public PipelineResult Paced { get; set; } = null!;
    public MemoryResult Memory { get; set; } = null!;
    public LoadResult? QuietPoll { get; set; }
    public LoadResult? CleanupPoll { get; set; }
    public double PacedRate { get; set; }
    public LoadResult? QuietPacedPoll { get; set; }
    public LoadResult? CleanupPacedPoll { get; set; }
    public bool CleanupRunningThroughout { get; set; }
    public JsonElement? Cleanup { get; set; }

    /// <summary>Every HTTP row, for checks that each one ran.</summary>
    public IEnumerable<(string Row, LoadResult Result)> HttpRows =>
        new[] { (FloorRow, Floor), (PollRow, Poll), (NotModifiedRow, NotModified), (HistoryRow, History), (CreateRow, Create), (PollWithStreamsRow, PollWithStreams) }
            .Concat(QuietPoll is null ? [] : [(QuietPollRow, QuietPoll), (CleanupPollRow, CleanupPoll!)]);

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: `scripts/bench.sh{(options.Size == "tiny" ? " --size tiny" : "")}{(options.Maintenance ? " --maintenance" : "")}{(options.PacedRate is { } rate ? FormattableString.Invariant($" --paced-rate {rate}") : "")}` " +
                                                    $"(size {options.Size}: wrk {options.Threads} threads, {options.Connections} connections, {options.Duration.TotalSeconds:F0} s per row, " +
                                                    $"{options.Users} users; loopback). Load average (1, 5, 15 min) before: {LoadBefore}; after: {LoadAfter}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {BenchMachine.Describe(PostgresVersion)}.");
        md.AppendLine();
        md.AppendLine("| row | req/s | p50 | p99 | p99/p50 | vs its floor | goal | allocated/req | CPU/req |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        Row(md, FloorRow, Floor, "1.00", "");
        Row(md, PollRow, Poll, Ratio(Poll, Floor), Goal(Poll.PerSecond >= 0.85 * Floor.PerSecond && Tail(Poll), ">= 0.85, p99 <= 3x p50"));
        Row(md, NotModifiedRow, NotModified, Ratio(NotModified, Floor), Goal(NotModified.PerSecond >= 0.85 * Floor.PerSecond && Tail(NotModified), ">= 0.85, p99 <= 3x p50"));
        Row(md, HistoryRow, History, Ratio(History, Floor), Goal(History.PerSecond >= 0.75 * Floor.PerSecond && Tail(History), ">= 0.75, p99 <= 3x p50"));
        Row(md, CreateRow + $", {options.Users} users ({CreateBacklogCancelled:N0} left unclaimed at its end, cancelled before the next row)", Create, Ratio(Create, EnqueueFloor) + " of the enqueue floor",
            Goal(Create.PerSecond >= 0.5 * EnqueueFloor.PerSecond && Create.P50Ms <= 20, ">= 0.5, p50 <= 20 ms"));
        Row(md, PollWithStreamsRow + $": {options.Streams} (`GET /api/events`, {StreamsOpenAtTheEnd} still open at the end)", PollWithStreams,
            $"p99 {PollWithStreams.P99Ms / Poll.P99Ms:F2}x the poll row's",
            Goal(PollWithStreams.P99Ms <= 1.5 * Poll.P99Ms && StreamsOpenAtTheEnd == options.Streams, "p99 <= 1.5x, every stream open"));
        Row(md, "floor: Azurite `SendMessageAsync`, from the front's process", EnqueueFloor, "", "");
        Row(md, "floor: Postgres primary-key lookup (Npgsql, prepared), from the front's process", PostgresFloor, "", "");
        md.AppendLine();

        md.AppendLine("| pipeline (instant Gemini fake) | completed/s | create to completed p50 | p99 | vs the queue floor | goal |");
        md.AppendLine("|---|---|---|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {Pipeline.Rows.Completed} generations created at once ({options.Connections} connections) | {Pipeline.CompletedPerSecond:F0} | {Ms(Pipeline.Rows.P50Ms)} | {Ms(Pipeline.Rows.P99Ms)} | " +
            $"{Pipeline.CompletedPerSecond / QueueFloor.PerSecond:F2} | {Goal(Pipeline.CompletedPerSecond >= 0.5 * QueueFloor.PerSecond, ">= 0.5")} |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {Paced.Rows.Completed} created at {Paced.Created.PerSecond:F0}/s (half that rate) | {Paced.CompletedPerSecond:F0} | {Ms(Paced.Rows.P50Ms)} | {Ms(Paced.Rows.P99Ms)} | | " +
            $"{Goal(Paced.Rows.P50Ms <= 1000, "p50 <= 1 s")} |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| floor: {QueueFloor.Requests} messages sent ({options.Connections} concurrent), received and deleted by the host's listener, no-op function | {QueueFloor.PerSecond:F0} | {Ms(QueueFloor.P50Ms)} | {Ms(QueueFloor.P99Ms)} | 1.00 | |");
        md.AppendLine();

        var pollAllocation = Poll.AllocatedBytesPerRequest - Floor.AllocatedBytesPerRequest;
        var notModifiedAllocation = NotModified.AllocatedBytesPerRequest - Floor.AllocatedBytesPerRequest;
        md.AppendLine("| memory | measured | goal |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| a {Memory.ImageBytes / 1024 / 1024} MB image through the worker: bytes allocated during its delivery | {Memory.AllocatedBytes / 1024.0 / 1024:F1} MB ({Memory.AllocatedRatio:F2}x) | {Goal(Memory.AllocatedRatio <= 3, "<= 3x")} |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| the same: largest managed-heap growth sampled meanwhile | {Memory.PeakHeapGrowthBytes / 1024.0 / 1024:F1} MB ({Memory.PeakRatio:F2}x) | {Goal(Memory.PeakRatio <= 3, "<= 3x")} |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| a poll, allocated per request above the floor's (200 / 304) | {pollAllocation / 1024:F1} KB / {notModifiedAllocation / 1024:F1} KB | {Goal(pollAllocation < 8192 && notModifiedAllocation < 8192, "< 8 KB")} |");
        md.AppendLine();

        if (QuietPoll is not null && CleanupPoll is not null)
        {
            var report = Cleanup?.TryGetProperty("report", out var r) == true ? r : (JsonElement?)null;
            var deleted = report?.GetProperty("deletedGenerations").GetInt64() ?? 0;
            var seconds = Cleanup?.TryGetProperty("seconds", out var s) == true ? s.GetDouble() : 0;
            md.AppendLine(CultureInfo.InvariantCulture, $"Maintenance: {options.MaintenanceRows:N0} expired rows (no images), deleted by the daily cleanup's batches while 200 users poll.");
            md.AppendLine();
            md.AppendLine("| poll (200) | req/s | p50 | p99 | p99 vs quiet | goal |");
            md.AppendLine("|---|---|---|---|---|---|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| quiet | {QuietPoll.PerSecond:F0} | {Ms(QuietPoll.P50Ms)} | {Ms(QuietPoll.P99Ms)} | 1.00 | |");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| while the cleanup deletes{(CleanupRunningThroughout ? "" : " (it finished before the row did)")} | {CleanupPoll.PerSecond:F0} | {Ms(CleanupPoll.P50Ms)} | {Ms(CleanupPoll.P99Ms)} | " +
                $"{CleanupPoll.P99Ms / QuietPoll.P99Ms:F2} | {Goal(CleanupPoll.P99Ms <= 2 * QuietPoll.P99Ms, "<= 2x")} |");
            if (QuietPacedPoll is not null && CleanupPacedPoll is not null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| quiet, fixed rate {PacedRate:F0}/s (open loop, latency from when due) | {QuietPacedPoll.PerSecond:F0} | {Ms(QuietPacedPoll.P50Ms)} | {Ms(QuietPacedPoll.P99Ms)} | 1.00 | |");
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| while the cleanup deletes, fixed rate {PacedRate:F0}/s | {CleanupPacedPoll.PerSecond:F0} | {Ms(CleanupPacedPoll.P50Ms)} | {Ms(CleanupPacedPoll.P99Ms)} | " +
                    $"{CleanupPacedPoll.P99Ms / QuietPacedPoll.P99Ms:F2} | {Goal(CleanupPacedPoll.P99Ms <= 2 * QuietPacedPoll.P99Ms, "<= 2x")} |");
            }
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"The cleanup deleted {deleted:N0} rows in {seconds:F0} s ({(seconds > 0 ? deleted / seconds : 0):N0} rows/s) in batches of 500.");
            md.AppendLine();
        }

        if (Statements)
        {
            md.AppendLine("Postgres per request (pg_stat_statements, reset before each row; the app's statements only):");
            md.AppendLine();
            md.AppendLine("| row | statements/req | DB time/req | the costliest statement: mean, share of the row's DB time |");
            md.AppendLine("|---|---|---|---|");
            foreach (var (row, result) in HttpRows)
            {
                var app = StatementsByRow.GetValueOrDefault(row, []).Where(s => !s.Query.StartsWith("SELECT pg_stat", StringComparison.Ordinal)).ToList();
                var total = app.Sum(s => s.TotalMs);
                var top = app.FirstOrDefault();
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row} | {app.Sum(s => s.Calls) / (double)Math.Max(1, result.Requests):F1} | {total / Math.Max(1, result.Requests):F3} ms | " +
                    $"{(top is null ? "" : $"{top.MeanMs:F3} ms, {100 * top.TotalMs / total:F0}%: `{top.Query.Replace("|", "\\|")[..Math.Min(90, top.Query.Length)]}…`")} |");
            }
        }

        return md.ToString();
    }

    private static bool Tail(LoadResult result) => result.P99Ms <= 3 * result.P50Ms;

    private static string Ratio(LoadResult row, LoadResult floor) => (row.PerSecond / floor.PerSecond).ToString("F2", CultureInfo.InvariantCulture);

    private static string Goal(bool met, string goal) => met ? $"{goal}: met" : $"{goal}: **not met**";

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "F1" : "F0", CultureInfo.InvariantCulture) + " ms";

    private static void Row(StringBuilder md, string name, LoadResult result, string ratio, string goal)
    {
        var allocated = result.AllocatedBytesPerRequest is { } bytes ? FormattableString.Invariant($"{bytes / 1024:F1} KB") : "";
        var cpu = result.CpuMsPerRequest is { } ms ? FormattableString.Invariant($"{ms:F2} ms") : "";
        var errors = result.Errors > 0 ? FormattableString.Invariant($" {result.Errors} errors") : "";
        var tail = result.P50Ms > 0 ? result.P99Ms / result.P50Ms : 0;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {result.PerSecond:N0} | {Ms(result.P50Ms)} | {Ms(result.P99Ms)} | {tail:F1} | {ratio} | {goal} | {allocated} | {cpu} |{errors}");
    }
}
