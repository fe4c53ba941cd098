using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Telemetry;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// Liveness from the database: a claim's worker holds an advisory lock on its instance's direct
/// session; when the lock goes (the process died) the abandoned-claim sweep hands the claim back
/// after the grace, fenced, with its message; a session that merely dropped takes its locks back
/// first. The app's clock is a FakeTimeProvider: the session's pings and the grace move with the test.
/// </summary>
public sealed class LivenessTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FakeGemini _gemini = null!;
    private TestDatabase _database = null!; // the sweep acts on every row
    private FunctionApp _app = null!;
    private readonly List<TaskCompletionSource> _gates = []; // opened at the end, so a failed test leaves no call hanging

    public async Task InitializeAsync()
    {
        _gemini = await FakeGemini.StartAsync();
        _database = await TestDatabase.CreateAsync();
        _app = await StartAppAsync();
    }

    public async Task DisposeAsync()
    {
        _gates.ForEach(gate => gate.TrySetResult());
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    [Fact]
    public async Task AWorkerWhoseInstanceDied_IsHandedBackAfterTheGrace_AndItsLateResultIsRefused()
    {
        // Arrange: a call in flight, its claim marked live and locked.
        var (generation, gate, delivery) = await StartHeldCallAsync();
        await _app.RawQueue.ClearMessagesAsync();
        Assert.Equal(1, await LivenessLocksAsync());

        // Act: the instance's session goes as a killed process's does (the socket closes, the lock with it).
        await _app.Services.GetRequiredService<LivenessSession>().StopAsync(CancellationToken.None);
        await WaitForLivenessLocksAsync(0); // the backend ends a moment after the socket closes
        var sweep = _app.Services.GetRequiredService<AbandonedClaimSweep>();
        var first = await sweep.RunAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var second = await sweep.RunAsync(CancellationToken.None);

        // Assert: suspected first, handed back once the grace passed, with a message to take it up now.
        Assert.Equal(new AbandonedClaimReport(1, 0, 0), first);
        Assert.Equal(new AbandonedClaimReport(0, 1, 0), second);
        Assert.Equal(("pending", 1, (string?)null), await _app.RowAsync(generation.Id));
        Assert.Single((await _app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);

        // Act: the old worker's call answers after all; another instance takes the generation up.
        gate.TrySetResult();
        Assert.Null(await delivery);
        await using var other = await StartAppAsync();
        Assert.Null(await other.DeliverAsync(generation.Id));

        // Assert: the late result was refused (its images tidied), the new attempt completed: two paid calls.
        Assert.Equal(("completed", 2, (string?)null), await _app.RowAsync(generation.Id));
        Assert.Equal(2, (await _app.RunAsync(generation.Id)).Calls);
        Assert.All(await _app.BlobNamesAsync($"{generation.Id:D}/output-"), name => Assert.Contains("output-2-", name, StringComparison.Ordinal));
        // The old worker hears of the hand-back on its LISTEN session and stops its call, or, if its answer
        // came first, its result is discarded: either way nothing of it is kept.
        Assert.Contains(_app.Logs.Lines, l => l.Message.Contains("result discarded", StringComparison.Ordinal)
                                              || l.Message.Contains("the claim is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSessionAloneDropping_TakesItsLocksBackWithinTheGrace_SoNothingIsHandedBack()
    {
        // Arrange
        var (generation, gate, delivery) = await StartHeldCallAsync();
        var sweep = _app.Services.GetRequiredService<AbandonedClaimSweep>();

        // Act: the session's backend is terminated while the process lives; a sweep sees the lock gone.
        Assert.Equal(1L, await _app.ScalarAsync($"""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = '{LivenessSession.ApplicationName}' AND datname = current_database()
            """));
        await WaitForLivenessLocksAsync(0);
        var suspected = await sweep.RunAsync(CancellationToken.None);
        _clock.Advance(LivenessSession.PingInterval); // the next ping finds the session gone: reconnect, lock again
        await WaitForLivenessLocksAsync(1);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var afterGrace = await sweep.RunAsync(CancellationToken.None);
        gate.TrySetResult();

        // Assert: suspected, then cleared: the call completed under its first claim, one paid call.
        Assert.Equal(1, suspected.Suspected);
        Assert.Equal(new AbandonedClaimReport(0, 0, 0), afterGrace);
        Assert.Null(await delivery);
        Assert.Equal(("completed", 1, (string?)null), await _app.RowAsync(generation.Id));
        Assert.Single(_gemini.Requests);
        Assert.Equal(0, await LivenessLocksAsync()); // released when the claim ended
    }

    [Fact]
    public async Task WhileItsSessionIsDown_AnInstanceClaimsNothing_AndSendsTheMessageOn()
    {
        // Arrange: this instance's direct session points at a port nothing listens on.
        await using var cutOff = await FunctionApp.StartWithGeminiAsync(_gemini, settings =>
            settings["Postgres:ListenConnectionString"] = settings["Postgres:ConnectionString"] + ";Port=1", _database);
        var generation = await cutOff.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await cutOff.RawQueue.ClearMessagesAsync();

        // Act
        var thrown = await cutOff.DeliverAsync(generation.Id);

        // Assert: not claimed, no call, and a message (visible later) for an instance that is up.
        Assert.Null(thrown);
        Assert.Equal(("pending", 0, (string?)null), await cutOff.RowAsync(generation.Id));
        Assert.Empty(_gemini.Requests);
        Assert.Equal(1, (await cutOff.RawQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Contains(cutOff.Logs.Lines, l => l.Message.Contains("liveness session is down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhileItsSessionStaysDown_EachHandOnOfAGeneration_DoublesItsMessagesDelay_UpToTheCap()
    {
        // Arrange: the session cannot open; two generations waiting.
        await using var cutOff = await FunctionApp.StartWithGeminiAsync(_gemini, settings =>
            settings["Postgres:ListenConnectionString"] = settings["Postgres:ConnectionString"] + ";Port=1", _database);
        var token = TestTokens.For(TestTokens.NewUserId());
        var waiting = await cutOff.Api.CreateGenerationAsync(token);
        var other = await cutOff.Api.CreateGenerationAsync(token);
        await cutOff.RawQueue.ClearMessagesAsync();
        using var deferred = new MetricCollector<long>(cutOff.Services.GetRequiredService<IMeterFactory>(), GenerationMetrics.MeterName, "nanobanana.liveness.not_live_deferrals");

        // Act: the same generation delivered six times (as its re-sent messages would be), the other once.
        for (var delivery = 0; delivery < 6; delivery++)
        {
            Assert.Null(await cutOff.DeliverAsync(waiting.Id));
        }

        Assert.Null(await cutOff.DeliverAsync(other.Id));

        // Assert: 5, 10, 20, 40 s, then the 60 s cap; the other generation starts at 5 s; every message sent invisible.
        double[] DelaysOf(Guid id) => [.. cutOff.Logs.Lines
            .Where(l => l.Message.Contains("liveness session is down", StringComparison.Ordinal) && Equals(l.Properties["GenerationId"], id))
            .Select(l => Convert.ToDouble(l.Properties["DelaySeconds"], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal([5, 10, 20, 40, 60, 60], DelaysOf(waiting.Id));
        Assert.Equal([5], DelaysOf(other.Id));
        Assert.Equal(7, (await cutOff.RawQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await cutOff.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        Assert.Equal(7, deferred.GetMeasurementSnapshot().EvaluateAsCounter()); // on-call's count of them
        Assert.Equal(("pending", 0, (string?)null), await cutOff.RowAsync(waiting.Id));
        Assert.Empty(_gemini.Requests);
    }

    [Fact]
    public void NotLiveDeferrals_StartAgainFromTheShortDelay_OnceTheSessionIsUp()
    {
        // Arrange
        var deferrals = new NotLiveDeferrals(Microsoft.Extensions.Options.Options.Create(new ProcessingOptions { NotLiveDeferSeconds = 5, NotLiveMaxDeferSeconds = 60 }));
        var id = Guid.NewGuid();

        // Act
        TimeSpan[] outage = [deferrals.Next(id), deferrals.Next(id), deferrals.Next(id)];
        deferrals.Forget();
        var afterRecovery = deferrals.Next(id);

        // Assert
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)], outage);
        Assert.Equal(TimeSpan.FromSeconds(5), afterRecovery);
    }

    [Fact]
    public async Task TheSweep_HandsBackOnlyMarkedClaimsWhoseLockIsGone_AndFailsThoseAtTheirRunsLimits()
    {
        // Arrange: four processing rows: never marked (lease only), locked by a live session, unlocked, unlocked at the run's limit.
        var token = TestTokens.For(TestTokens.NewUserId());
        var leaseOnly = (await _app.Api.CreateGenerationAsync(token)).Id;
        var held = (await _app.Api.CreateGenerationAsync(token)).Id;
        var dead = (await _app.Api.CreateGenerationAsync(token)).Id;
        var spent = (await _app.Api.CreateGenerationAsync(token)).Id;
        await _app.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, started_at = now(), lease_expires_at = now() + interval '1 hour'
            WHERE id = ANY(@ids)
            """, ("ids", new[] { leaseOnly, held, dead, spent }));
        await _app.ExecuteSqlAsync("UPDATE generations SET attempt = 5, run_attempt = 5 WHERE id = @id", ("id", spent));
        await _app.ExecuteSqlAsync("UPDATE generations SET liveness_key = hashtext(id::text), live_since = now() WHERE id = ANY(@ids)", ("ids", new[] { held, dead, spent }));
        await using var otherInstance = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString);
        await otherInstance.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(21021, hashtext(@id::text))", otherInstance))
        {
            take.Parameters.AddWithValue("id", held);
            await take.ExecuteScalarAsync();
        }

        var sweep = _app.Services.GetRequiredService<AbandonedClaimSweep>();
        using var handedBack = new MetricCollector<long>(_app.Services.GetRequiredService<IMeterFactory>(), GenerationMetrics.MeterName, "nanobanana.liveness.abandoned_claims");

        // Act
        var first = await sweep.RunAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(4));
        var beforeGrace = await sweep.RunAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var atGrace = await sweep.RunAsync(CancellationToken.None);

        // Assert
        Assert.Equal(new AbandonedClaimReport(2, 0, 0), first);
        Assert.Equal(new AbandonedClaimReport(2, 0, 0), beforeGrace);
        Assert.Equal(new AbandonedClaimReport(0, 1, 1), atGrace);
        Assert.Equal("processing", (await _app.RowAsync(leaseOnly)).Status);
        Assert.Equal("processing", (await _app.RowAsync(held)).Status);
        Assert.Equal(("pending", 1, (string?)null), await _app.RowAsync(dead));
        Assert.Equal(("failed", 5, "STUCK"), await _app.RowAsync(spent));
        Assert.Equal(["failed", "requeued"], handedBack.GetMeasurementSnapshot().Select(m => (string?)m.Tags["outcome"]).Order());
        Assert.All(handedBack.GetMeasurementSnapshot(), m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public async Task TheSessionUpGauge_ReadsOneWhileTheSessionIsOpen_AndZeroOnceItIsDown()
    {
        // Arrange
        var session = _app.Services.GetRequiredService<LivenessSession>();
        using var up = new MetricCollector<int>(_app.Services.GetRequiredService<IMeterFactory>(), GenerationMetrics.MeterName, "nanobanana.liveness.session_up");
        Assert.True(await session.IsUpAsync(CancellationToken.None));

        // Act
        up.RecordObservableInstruments();
        var whileOpen = up.LastMeasurement?.Value;
        await session.StopAsync(CancellationToken.None);
        up.RecordObservableInstruments();
        var afterStop = up.LastMeasurement?.Value;

        // Assert
        Assert.Equal(1, whileOpen);
        Assert.Equal(0, afterStop);
    }

    [Fact]
    public async Task TheSessionUpGauge_ReadsZero_WhenTheSessionCannotBeOpened()
    {
        // Arrange: this instance's direct session points at a port nothing listens on.
        await using var cutOff = await FunctionApp.StartWithGeminiAsync(_gemini, settings =>
            settings["Postgres:ListenConnectionString"] = settings["Postgres:ConnectionString"] + ";Port=1", _database);
        using var up = new MetricCollector<int>(cutOff.Services.GetRequiredService<IMeterFactory>(), GenerationMetrics.MeterName, "nanobanana.liveness.session_up");

        // Act
        Assert.False(await cutOff.Services.GetRequiredService<LivenessSession>().IsUpAsync(CancellationToken.None));
        up.RecordObservableInstruments();

        // Assert
        Assert.Equal(0, up.LastMeasurement?.Value);
    }

    [Fact]
    public async Task TheSweeper_RunsOnTheAppsClock_AndHandsBackOnceTheGraceHasPassed()
    {
        // Arrange: an instance with the sweeper on (every 3 s, grace 5 s); a live-marked claim nobody holds.
        await using var sweeping = await StartAppAsync(settings => settings["Maintenance:LivenessSweepSeconds"] = "3");
        var generation = await sweeping.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await sweeping.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, started_at = now(), lease_expires_at = now() + interval '1 hour',
                                   liveness_key = 12345, live_since = now()
            WHERE id = @id
            """, ("id", generation.Id));

        // Act: time moves a second at a time; nothing but the sweeper can hand the claim back.
        var handedBackAfter = TimeSpan.Zero;
        while ((await sweeping.RowAsync(generation.Id)).Status == "processing" && handedBackAfter < TimeSpan.FromSeconds(30))
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            handedBackAfter += TimeSpan.FromSeconds(1);
            await Task.Delay(50);
        }

        // Assert: seen at the first run (3 s), handed back when its grace ended (8 s), within a step's slack.
        Assert.Equal("pending", (await sweeping.RowAsync(generation.Id)).Status);
        Assert.InRange(handedBackAfter, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
    }

    private Task<FunctionApp> StartAppAsync(Action<Dictionary<string, string?>>? configure = null) =>
        FunctionApp.StartWithGeminiAsync(_gemini, settings =>
        {
            // The resilience pipeline's attempt timeout runs on the app's clock too.
            settings["Gemini:AttemptTimeoutSeconds"] = "300";
            configure?.Invoke(settings);
        }, _database, _clock);

    private async Task<(NanoBanana.Functions.Api.GenerationResponse Generation, TaskCompletionSource Gate, Task<Exception?> Delivery)> StartHeldCallAsync()
    {
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        _gates.Add(gate);
        _gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(TestImages.Png)));
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        var delivery = _app.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (generation, gate, delivery);
    }

    private Task<long> LivenessLocksAsync() => _app.ScalarAsync($"""
        SELECT count(*) FROM pg_locks
        WHERE locktype = 'advisory' AND classid = {NanoBanana.Functions.Generations.Lifecycle.GenerationTransitions.LivenessLockClass} AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """);

    // The session's disconnect and reconnect happen on their own; wait (bounded) for pg_locks to show it.
    private async Task WaitForLivenessLocksAsync(long expected)
    {
        for (var i = 0; i < 200 && await LivenessLocksAsync() != expected; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(expected, await LivenessLocksAsync());
    }
}
