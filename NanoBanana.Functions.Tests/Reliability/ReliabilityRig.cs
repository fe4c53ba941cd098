using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// One reliability run: the app on its own database, a misbehaving Gemini, workers in-process and
/// in killable processes, the repair sweep on a short interval, phones creating and polling, and a
/// schedule of infrastructure faults. <see cref="RunAsync"/> returns the checked outcome.
/// </summary>
internal sealed class ReliabilityRig : IAsyncDisposable
{
    private readonly List<WorkerProcess> _processes = [];
    private readonly List<string> _events = [];
    private readonly List<WorkerFault> _workerFaults = [];
    private string _settingsPath = "";
    private TestDatabase _database = null!; // its own: repair and the verifier act on every row

    private ReliabilityRig(RigOptions options, FakeGemini gemini, GeminiFaultPlan plan)
    {
        Options = options;
        Gemini = gemini;
        Plan = plan;
        Queue = HostQueueSettings.FromHostJson();
    }

    public RigOptions Options { get; }

    public FakeGemini Gemini { get; }

    public GeminiFaultPlan Plan { get; }

    public FunctionApp App { get; private set; } = null!;

    public HostQueueSettings Queue { get; }

    public RigCounters Counters { get; } = new();

    public IReadOnlyList<string> Events => _events;

    /// <summary>Each worker killed or stopped: when, and the generations in processing at that moment.</summary>
    public IReadOnlyList<WorkerFault> WorkerFaults => _workerFaults;

    public static async Task<ReliabilityRig> StartAsync(RigOptions options)
    {
        var plan = new GeminiFaultPlan(options.Seed, options.GeminiWeights);
        var gemini = await FakeGemini.StartAsync();
        gemini.Default = plan.ReplyAsync;
        var rig = new ReliabilityRig(options, gemini, plan);
        rig._database = await TestDatabase.CreateAsync();
        rig.App = await FunctionApp.StartAsync(settings =>
        {
            FunctionApp.UseGemini(settings, gemini);
            options.Timing.Apply(settings);
        }, database: rig._database);
        rig.App.Api.AwaitsQueueMessages = false; // the phones go on as soon as a create is answered, outage or not
        await RigAudit.InstallAsync(rig.App);
        rig._settingsPath = WorkerHost.WriteSettings(rig.App);
        return rig;
    }

    public async Task<SoakReport> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var inProcess = Enumerable.Range(0, Options.InProcessWorkers).Select(_ => Task.Run(() => WorkerHost.RunAsync(App, stop.Token))).ToList();
        for (var i = 0; i < Options.WorkerProcesses; i++)
        {
            _processes.Add(await WorkerProcess.StartAsync(_settingsPath));
        }

        var repair = Task.Run(() => RepairLoopAsync(stop.Token));
        var liveness = Task.Run(() => LivenessLoopAsync(stop.Token));
        var faults = Task.Run(() => InjectFaultsAsync(clock));
        var bound = Options.Timing.Bound(Queue);
        var client = new RigClient(App, Counters, bound + RigTiming.OutageAllowance);
        var results = await Task.WhenAll(Plans().Select(plan => Task.Run(() => client.RunAsync(plan, Options.Name, clock))));
        await faults;

        stop.Cancel();
        await Task.WhenAll(inProcess.Append(repair).Append(liveness));
        foreach (var process in _processes)
        {
            await process.KillAsync();
        }

        // The app's own outbox passes (the worker processes run theirs too, unseen here).
        Counters.Add("outbox: passes with sends failed (outage)",
            App.Logs.Lines.Count(l => l.Category == typeof(NanoBanana.Functions.Outbox.QueueOutboxDispatcher).FullName && l.Message.Contains("not sent", StringComparison.Ordinal)));
        return await RigVerifier.VerifyAsync(this, results, bound, clock.Elapsed);
    }

    private IEnumerable<ClientPlan> Plans()
    {
        var random = new Random(Options.Seed);
        for (var i = 0; i < Options.Generations; i++)
        {
            yield return new ClientPlan(
                i,
                Options.CreateSpread * i / Math.Max(1, Options.Generations),
                random.NextDouble() < Options.ImageRate,
                random.NextDouble() < Options.DroppedResponseRate ? random.Next(1, 6) : 0,
                random.NextDouble() < Options.DuplicateMessageRate,
                random.NextDouble() < Options.CancelRate);
        }
    }

    private async Task RepairLoopAsync(CancellationToken stop)
    {
        var repair = App.Services.GetRequiredService<RepairService>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var report = await repair.RunAsync(sweepOrphanBlobs: false, stop);
                Counters.Add("repair: leases requeued", report.Requeued);
                Counters.Add("repair: stuck failed", report.Stuck);
                Counters.Add("repair: messages re-sent", report.Resent);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                Counters.Add("repair: runs failed (outage)");
            }

            try
            {
                var now = DateTime.UtcNow;
                await Task.Delay(Options.Timing.NextRepair(now) - now, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    // Every instance runs this sweep every few seconds; one loop stands for them (it is safe twice over).
    private async Task LivenessLoopAsync(CancellationToken stop)
    {
        var sweep = App.Services.GetRequiredService<AbandonedClaimSweep>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var report = await sweep.RunAsync(stop);
                Counters.Add("liveness: claims handed back", report.Requeued);
                Counters.Add("liveness: stuck failed", report.Stuck);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                Counters.Add("liveness: sweeps failed (outage)");
            }

            try
            {
                await Task.Delay(sweep.UntilNextRun(Options.Timing.LivenessSweep), stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task InjectFaultsAsync(Stopwatch clock)
    {
        foreach (var fault in Options.InfraFaults.OrderBy(f => f.At))
        {
            var wait = fault.At - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            switch (fault.Kind)
            {
                case InfraFaultKind.PostgresFastRestart:
                    await Services.RunAsync("restart-postgres", "fast");
                    break;
                case InfraFaultKind.PostgresImmediateRestart:
                    await Services.RunAsync("restart-postgres", "immediate");
                    break;
                case InfraFaultKind.AzuriteRestart:
                    await Services.RunAsync("stop-azurite");
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    await Services.RunAsync("start-azurite");
                    break;
                case InfraFaultKind.KillWorkerProcess:
                    await WorkerFaultAsync(fault.Kind, victim => victim.KillAsync());
                    _processes.Add(await WorkerProcess.StartAsync(_settingsPath));
                    break;
                case InfraFaultKind.TerminateLivenessSessions:
                    Counters.Add("infra: liveness sessions terminated", (int)await App.ScalarAsync($"""
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = '{NanoBanana.Functions.Processing.LivenessSession.ApplicationName}' AND datname = current_database()
                        """));
                    break;
                case InfraFaultKind.StopWorkerProcess:
                    // The replacement is up first, as when the platform drains an instance it has replaced.
                    _processes.Add(await WorkerProcess.StartAsync(_settingsPath));
                    await WorkerFaultAsync(fault.Kind, victim => victim.StopAsync(grace: TimeSpan.FromSeconds(30)));
                    break;
            }

            _events.Add($"{clock.Elapsed.TotalSeconds:F1}s {fault.Kind}");
            Counters.Add($"infra: {fault.Kind}");
        }
    }

    // The oldest worker process is the victim; what was in processing at that moment is recorded.
    private async Task WorkerFaultAsync(InfraFaultKind kind, Func<WorkerProcess, Task> fault)
    {
        var held = await ProcessingNowAsync();
        var victim = _processes[0];
        _processes.RemoveAt(0);
        var at = DateTimeOffset.UtcNow;
        await fault(victim);
        await victim.DisposeAsync();
        _workerFaults.Add(new WorkerFault(kind, at, held));
    }

    // On a connection of its own (the app's pool is busy serving the phones), tried a few times (a
    // restart may be under way); without it the fault still happens, only its recovery goes unmeasured.
    private async Task<List<(Guid, int)>> ProcessingNowAsync()
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(App.Settings["Postgres:ConnectionString"]) { Pooling = false }.ConnectionString;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                await using var connection = new Npgsql.NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand("SELECT id, attempt FROM generations WHERE status = 'processing'", connection);
                await using var reader = await command.ExecuteReaderAsync();
                var held = new List<(Guid, int)>();
                while (await reader.ReadAsync())
                {
                    held.Add((reader.GetGuid(0), reader.GetInt32(1)));
                }

                return held;
            }
            catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException)
            {
                Counters.Add("rig: processing snapshot retried");
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }

        return [];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        File.Delete(_settingsPath);
        await App.DisposeAsync();
        await _database.DisposeAsync();
        await Gemini.DisposeAsync();
    }
}

/// <summary>A worker process killed or stopped at <paramref name="At"/>, with the claims (id, attempt) in processing then.</summary>
internal sealed record WorkerFault(InfraFaultKind Kind, DateTimeOffset At, IReadOnlyList<(Guid Id, int Attempt)> Processing);
