using System.Diagnostics;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// scripts/bench.sh's body: <c>dotnet NanoBanana.Functions.Tests.dll bench [--size full|tiny] [--maintenance] [--out file]</c>.
/// Starts the front as a process of its own (real Postgres, Azurite, the worker, an instant Gemini
/// fake), seeds users and rows, drives each row of the table over loopback HTTP with wrk, measures the
/// floors from the front's process in the same run, then the pipeline, the worker's memory for a large
/// image and, with --maintenance, polling while the cleanup deletes expired rows. Prints the table and
/// writes it into the generated section of the --out file.
/// </summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 2;
        }

        var report = await RunAsync(options, Console.Error);
        Console.WriteLine(report.Markdown());
        if (options.Out is { } file)
        {
            PerformanceDoc.WriteFigures(file, report.Markdown());
            Console.Error.WriteLine($"[bench] figures written to {file}");
        }

        return 0;
    }

    public static async Task<BenchReport> RunAsync(BenchOptions options, TextWriter progress)
    {
        Wrk.EnsureInstalled();
        var report = new BenchReport(options) { LoadBefore = BenchMachine.LoadAverage() };
        var run = Guid.NewGuid().ToString("N")[..8];
        void Say(string what) => progress.WriteLine($"[bench] {what}");

        await TestDatabase.ShareTemplateWithChildProcessesAsync();
        Say("starting the front (front --bench)");
        await using (var front = await FrontProcess.StartAsync())
        using (var control = new BenchClient(front.ControlUrl))
        {
            report.Statements = await control.ResetStatementsAsync();
            Say($"seeding {options.Users} users with {options.RowsPerUser} generations each, and {options.BackgroundRows} others");
            var pollers = await control.SeedAsync(new SeedRequest($"bench-{run}-", options.Users, options.RowsPerUser, options.BackgroundRows));
            var creators = await control.SeedAsync(new SeedRequest($"bench-create-{run}-", options.Users, 0, 0));

            var wrk = new Wrk(front.ApiUrl, options.Threads, options.Connections, options.Duration);
            WrkTarget[] floor = [new WrkTarget("GET", "/api/" + FloorFunction.Route)];
            var polls = pollers.Select(u => new WrkTarget("GET", $"/api/generations/{u.Id}", u.Token)).ToList();
            var notModified = pollers.Select(u => new WrkTarget("GET", $"/api/generations/{u.Id}", u.Token, u.ETag)).ToList();
            var history = pollers.Select(u => new WrkTarget("GET", "/api/generations?limit=20", u.Token)).ToList();
            var creates = creators.Select(u => new WrkTarget("POST", "/api/generations", u.Token, Body: """{"prompt":"a banana surfing a wave"}""")).ToList();

            var warm = new Wrk(front.ApiUrl, options.Threads, options.Connections, options.Warmup);
            async Task<LoadResult> Http(string row, IReadOnlyList<WrkTarget> targets, string? idempotencyRun = null)
            {
                Say(row);
                await warm.RunAsync(targets, idempotencyRun is null ? null : idempotencyRun + "-warm"); // JIT, pools, caches: not the row's
                await control.ResetStatementsAsync();
                var before = await control.CountersAsync();
                var result = await wrk.RunAsync(targets, idempotencyRun);
                var after = await control.CountersAsync();
                report.StatementsByRow[row] = await control.StatementsAsync(5);
                return result with
                {
                    AllocatedBytesPerRequest = (after.AllocatedBytes - before.AllocatedBytes) / (double)Math.Max(1, result.Requests),
                    CpuMsPerRequest = (after.CpuMilliseconds - before.CpuMilliseconds) / Math.Max(1, result.Requests),
                };
            }

            report.Floor = await Http(BenchReport.FloorRow, floor);
            report.Poll = await Http(BenchReport.PollRow, polls);
            report.NotModified = await Http(BenchReport.NotModifiedRow, notModified);
            report.History = await Http(BenchReport.HistoryRow, history);
            report.Create = await Http(BenchReport.CreateRow, creates, idempotencyRun: run);

            // Before the streams row: the create row leaves the worker a backlog whose CPU would be charged to the streams
            // (wrk creates ~1,000/s, the worker completes ~50/s): what no worker has claimed yet is cancelled, the rest finishes.
            report.CreateBacklogCancelled = await control.CancelPendingAsync($"bench-create-{run}-");
            Say($"the creates' backlog: {report.CreateBacklogCancelled} cancelled before a worker claimed them; waiting for the claimed ones");
            await WaitIdleAsync(control, $"bench-create-{run}-", TimeSpan.FromMinutes(2));

            Say($"{options.Streams} event streams open (GET /api/events), then the polls again");
            await using (var streams = await OpenStreams.StartAsync(front.ApiUrl, pollers.Select(u => u.Token).ToList(), options.Streams, TimeSpan.FromMinutes(2)))
            {
                report.PollWithStreams = await Http(BenchReport.PollWithStreamsRow, polls);
                report.StreamsOpenAtTheEnd = streams.Open;
            }

            Say("floor: Azurite enqueue from the front's process");
            report.EnqueueFloor = await control.EnqueueFloorAsync(options.Connections, options.Duration, long.MaxValue);
            Say("floor: Postgres primary-key lookup from the front's process");
            report.PostgresFloor = await control.PostgresFloorAsync(options.Connections, options.Duration, long.MaxValue, $"bench-{run}-");

            Say($"floor: queue send + receive + delete, {options.QueueFloorCount} messages");
            report.QueueFloor = await control.QueueFloorAsync(options.Connections, options.QueueFloorCount, TimeSpan.FromMinutes(5));

            Say($"pipeline: {options.PipelineCount} generations created at {options.Connections} connections, until completed");
            var pipelineUsers = await control.SeedAsync(new SeedRequest($"bench-pipe-{run}-", options.Users, 0, 0));
            using (var pipeline = new PipelineDriver(front.ApiUrl, control, $"bench-pipe-{run}-", pipelineUsers))
            {
                report.Pipeline = await pipeline.SaturatedAsync(options.PipelineCount, options.Connections, TimeSpan.FromMinutes(10));
            }

            var pace = Math.Max(1, report.Pipeline.CompletedPerSecond / 2);
            Say($"pipeline paced at {pace:F0}/s for {options.PacedDuration.TotalSeconds:F0} s");
            var pacedUsers = await control.SeedAsync(new SeedRequest($"bench-paced-{run}-", options.Users, 0, 0));
            using (var paced = new PipelineDriver(front.ApiUrl, control, $"bench-paced-{run}-", pacedUsers))
            {
                report.Paced = await paced.PacedAsync(pace, options.PacedDuration, TimeSpan.FromMinutes(5));
            }

            if (options.Maintenance)
            {
                Say($"maintenance: {options.MaintenanceRows} expired rows");
                await control.InsertExpiredAsync(options.MaintenanceRows);
                report.QuietPoll = await Http(BenchReport.QuietPollRow, polls);
                // A quarter of what the closed loop sustained (unless --paced-rate says): a load the front keeps up with, so a stall shows as latency.
                report.PacedRate = options.PacedRate ?? Math.Max(1, Math.Round(report.QuietPoll.PerSecond / 4));
                Say($"{BenchReport.QuietPollRow}, fixed rate {report.PacedRate:F0}/s");
                report.QuietPacedPoll = await FixedRateLoad.RunAsync(front.ApiUrl, polls, report.PacedRate, options.Duration);
                await control.StartCleanupAsync();
                report.CleanupPoll = await Http(BenchReport.CleanupPollRow, polls);
                Say($"{BenchReport.CleanupPollRow}, fixed rate {report.PacedRate:F0}/s");
                report.CleanupPacedPoll = await FixedRateLoad.RunAsync(front.ApiUrl, polls, report.PacedRate, options.Duration);
                report.CleanupRunningThroughout = (await control.CleanupAsync()).GetProperty("running").GetBoolean();
                Say("waiting for the cleanup to finish");
                var watch = Stopwatch.StartNew();
                while ((await control.CleanupAsync()) is var state && state.GetProperty("running").GetBoolean() && watch.Elapsed < TimeSpan.FromMinutes(30))
                {
                    await Task.Delay(1000);
                }

                report.Cleanup = await control.CleanupAsync();
            }

            report.PostgresVersion = await BenchMachine.PostgresVersionAsync();
        }

        Say($"memory: a {options.MemoryMegabytes} MB image through the worker");
        report.Memory = await WorkerMemory.MeasureAsync(options.MemoryMegabytes);
        report.LoadAfter = BenchMachine.LoadAverage();
        return report;
    }

    private static async Task WaitIdleAsync(BenchClient control, string owners, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while ((await control.GenerationsAsync(owners)).Active > 0 && watch.Elapsed < timeout)
        {
            await Task.Delay(500);
        }
    }
}
