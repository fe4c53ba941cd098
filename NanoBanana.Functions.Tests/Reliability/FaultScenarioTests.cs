using Xunit.Abstractions;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// These tests restart the shared PostgreSQL and Azurite and kill processes, so they run alone,
/// after the parallel tests (xunit runs collections with parallelization disabled last, one by one).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "reliability";
}

/// <summary>
/// Each fault on its own; the soak mixes them. Every run is checked by <see cref="RigVerifier"/> and
/// its summary written to TestResults/&lt;name&gt;.md (recovery times are measured there, not asserted).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FaultScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AWorkerProcessKilledMidGeminiCall_LosesNothing()
    {
        // Arrange: every Gemini answer is slow (1.5 s), so kills land mid-call; only killable workers.
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "sigkill",
            Generations = 12,
            InProcessWorkers = 0,
            WorkerProcesses = 2,
            GeminiWeights = new Dictionary<string, int> { ["slow ok"] = 1 },
            InfraFaults = [new(TimeSpan.FromSeconds(2), InfraFaultKind.KillWorkerProcess), new(TimeSpan.FromSeconds(4), InfraFaultKind.KillWorkerProcess)],
            CreateSpread = TimeSpan.FromSeconds(3),
        });

        // Act
        var report = await RunAsync(rig);

        // Assert: the killed calls were handed back once their liveness locks were gone, and ended.
        Assert.True(report.MaxAttemptsForOneGeneration >= 2, "some generation should have needed a second attempt");
        Assert.True(report.Counters.GetValueOrDefault("liveness: claims handed back") >= 1);
    }

    [Fact]
    public async Task PostgresRestarts_FastAndImmediate_WhileCreatingPollingAndClaiming_LoseNothing()
    {
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "postgres-restarts",
            Generations = 60,
            ImageRate = 0.2,
            CreateSpread = TimeSpan.FromSeconds(8),
            InfraFaults = [new(TimeSpan.FromSeconds(2), InfraFaultKind.PostgresFastRestart), new(TimeSpan.FromSeconds(5), InfraFaultKind.PostgresImmediateRestart)],
        });

        var report = await RunAsync(rig);

        Assert.True(report.Counters.GetValueOrDefault("create errors retried") + report.Counters.GetValueOrDefault("polls answered 503") > 0,
            "the restarts should have been felt by clients");
    }

    [Fact]
    public async Task AzuriteRestart_WhileCreating_IsRepairedBySending()
    {
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "azurite-restart",
            Generations = 40,
            CreateSpread = TimeSpan.FromSeconds(8),
            InfraFaults = [new(TimeSpan.FromSeconds(2), InfraFaultKind.AzuriteRestart)],
        });

        var report = await RunAsync(rig);

        // Creates no longer send (the outbox does): a send that failed during the outage is sent again by the
        // outbox's next pass, or, after a long outage, by the repair; the verifier has checked that every generation ended.
        Assert.True(report.Counters.GetValueOrDefault("outbox: passes with sends failed (outage)") + report.Counters.GetValueOrDefault("repair: messages re-sent") > 0,
            "sends should have failed during the outage, and been sent again");
    }

    [Fact]
    public async Task WithTheDefaultSettings_AWorkerKilledMidCall_ItsGenerationsAreHandedBackInSeconds_NotAfterTheLease()
    {
        // Arrange: SIGKILL, with the settings a deployment runs (liveness sweep every 3 s, grace 5 s; lease 45 s).
        await using var rig = await ReliabilityRig.StartAsync(OneWorkerInLongCalls("kill-with-defaults", InfraFaultKind.KillWorkerProcess));

        // Act
        var report = await RunAsync(rig);

        // Assert: handed back by the liveness sweep, no lease had to run out (the recovery times are in the report).
        var recovery = AllTakenOver(report, InfraFaultKind.KillWorkerProcess);
        Assert.True(report.Counters.GetValueOrDefault("liveness: claims handed back") >= recovery.TakenOver);
        Assert.Equal(0, report.Counters.GetValueOrDefault("repair: leases requeued"));
        Assert.True(recovery.LongestToNextClaim < rig.Options.Timing.Lease, $"taken over after {recovery.LongestToNextClaim}, not before the lease");
    }

    [Fact]
    public async Task WithTheDefaultSettings_TheLivenessSessionsTerminated_TheirInstancesTakeTheLocksBack_AndLoseNothing()
    {
        // Arrange: the direct sessions' backends are terminated (pg_terminate_backend) while every process lives.
        await using var rig = await ReliabilityRig.StartAsync(
            OneWorkerInLongCalls("liveness-session-terminated", InfraFaultKind.TerminateLivenessSessions));

        // Act
        var report = await RunAsync(rig);

        // Assert: every generation completed under its first claim: nothing handed back, nothing called twice.
        Assert.True(report.Counters.GetValueOrDefault("infra: liveness sessions terminated") >= 1);
        Assert.Equal(report.Generations, report.Outcomes.GetValueOrDefault("completed"));
        Assert.Equal(0, report.Counters.GetValueOrDefault("liveness: claims handed back"));
        Assert.Equal(0, report.Counters.GetValueOrDefault("repair: leases requeued"));
        Assert.Equal(1, report.MaxAttemptsForOneGeneration);
    }

    [Fact]
    public async Task WithTheDefaultSettings_AGracefulStop_HandsItsGenerationsOverAtOnce()
    {
        // Arrange: SIGTERM instead (the host's drain): the worker's invocations are cancelled.
        await using var rig = await ReliabilityRig.StartAsync(OneWorkerInLongCalls("graceful-stop-with-defaults", InfraFaultKind.StopWorkerProcess));

        // Act
        var report = await RunAsync(rig);

        // Assert: handed back by the stopping worker, not recovered through an expired lease or a lost lock.
        AllTakenOver(report, InfraFaultKind.StopWorkerProcess);
        Assert.Equal(0, report.Counters.GetValueOrDefault("repair: leases requeued"));
        Assert.Equal(0, report.Counters.GetValueOrDefault("liveness: claims handed back"));
    }

    [Fact]
    public async Task TheCallBudget_HoldsUnderEveryFault()
    {
        // Arrange: mostly replies Google may have started work for, refusals, duplicates, two SIGKILLs.
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "call-budget",
            Generations = 40,
            InProcessWorkers = 1,
            WorkerProcesses = 2,
            DuplicateMessageRate = 0.5,
            GeminiWeights = new Dictionary<string, int>
            {
                ["ok"] = 20, ["500"] = 14, ["slower than timeout"] = 12, ["reset mid-body"] = 14, ["truncated JSON"] = 8,
                ["HTML error page"] = 8, ["429 retryDelay"] = 14, ["503"] = 10,
            },
            InfraFaults = [new(TimeSpan.FromSeconds(2), InfraFaultKind.KillWorkerProcess), new(TimeSpan.FromSeconds(4), InfraFaultKind.KillWorkerProcess)],
        });

        // Act: the verifier fails the run if any generation's paid calls exceed the budget.
        var report = await RunAsync(rig);

        // Assert: the budget was reached (so the check had something to stop), never passed.
        Assert.Equal(report.CallBudget.Budget, report.CallBudget.MostForOneGeneration);
        Assert.True(report.CallBudget.GenerationsThatSpentIt >= 1);
        Assert.Contains(report.Outcomes.Keys, k => k.StartsWith("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMisbehavingGemini_EndsEveryGeneration_WithinTheAttemptLimit()
    {
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "gemini-misbehaves",
            Generations = 40,
            GeminiWeights = new Dictionary<string, int>
            {
                ["ok"] = 30, ["429 retryDelay"] = 15, ["500"] = 10, ["503"] = 10, ["slower than timeout"] = 8, ["reset mid-body"] = 8,
                ["truncated JSON"] = 6, ["HTML error page"] = 6, ["20 MB image"] = 3, ["IMAGE_SAFETY"] = 4,
            },
        });

        var report = await RunAsync(rig);

        Assert.True(report.Outcomes.Keys.Count(k => k.StartsWith("failed", StringComparison.Ordinal)) >= 1);
        Assert.True(report.MaxGeminiRequestsForOneGeneration <= rig.Options.Timing.MaxRequestsPerGeneration);
    }

    [Fact]
    public async Task EveryMessageDeliveredTwice_AndMessagesAfterCancel_CallGeminiOncePerAttempt()
    {
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "duplicates-and-cancels",
            Generations = 40,
            DuplicateMessageRate = 1.0,
            CancelRate = 0.3,
        });

        var report = await RunAsync(rig);

        Assert.Equal(40, report.Counters.GetValueOrDefault("duplicate messages"));
        Assert.Equal(1, report.MaxGeminiRequestsForOneGeneration); // Gemini always answers at once here
    }

    [Fact]
    public async Task RepeatedCreatesWithOneIdempotencyKey_MakeOneGenerationEach()
    {
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "dropped-responses",
            Generations = 30,
            DroppedResponseRate = 1.0,
        });

        var report = await RunAsync(rig);

        Assert.True(report.Counters.GetValueOrDefault("repeated creates (same key)") >= 30);
        await using var count = rig.App.DataSource.CreateCommand("SELECT count(*) FROM generations");
        Assert.Equal(30L, await count.ExecuteScalarAsync());
    }

    /// <summary>Default settings; one worker process holds every generation, each in a 20 s Gemini call, when the fault comes.</summary>
    private static RigOptions OneWorkerInLongCalls(string name, InfraFaultKind fault) => new()
    {
        Name = name,
        Timing = RigTiming.Defaults,
        Generations = 4,
        InProcessWorkers = 0,
        WorkerProcesses = 1,
        GeminiWeights = new Dictionary<string, int> { ["20 s ok"] = 1 },
        CreateSpread = TimeSpan.FromSeconds(1),
        InfraFaults = [new(TimeSpan.FromSeconds(8), fault)],
    };

    private static WorkerRecovery AllTakenOver(SoakReport report, InfraFaultKind fault)
    {
        var recovery = Assert.Single(report.Recoveries);
        Assert.Equal(fault, recovery.Kind);
        Assert.True(recovery.TakenOver >= 1, "the worker held generations mid-call");
        Assert.Equal(report.Generations, report.Outcomes.GetValueOrDefault("completed"));
        return recovery;
    }

    private async Task<SoakReport> RunAsync(ReliabilityRig rig)
    {
        var report = await rig.RunAsync();
        output.WriteLine(report.ToMarkdown());
        await report.WriteAsync(rig.Options.Name);
        Assert.True(report.Violations.Count == 0, report.ToMarkdown());
        Assert.Equal(report.Generations, report.Accepted);
        return report;
    }
}
