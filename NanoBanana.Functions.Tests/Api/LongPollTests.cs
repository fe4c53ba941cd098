using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Realtime;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>
/// Prefer: wait=N on GET and create, woken by the instance's one LISTEN session. The app's clock is a
/// FakeTimeProvider that never moves unless a test moves it, so a long-poll that returns was woken by
/// the database's notification, not by its deadline.
/// </summary>
public sealed class LongPollTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Get_WithPreferWait_IsAnsweredWhenTheWorkerFinishes_NotAtTheDeadline()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateGenerationAsync(token)).Id;
        var etag = (await app.Api.GetAsync(token, id.ToString())).Headers.ETag.ToString();
        var poll = app.Api.GetAsync(token, id.ToString(), etag, prefer: "wait=30");
        await WaitingAsync(app, 1);

        // Act: the worker claims and completes; the client long-polls again after each answer, as the web client does.
        await app.DeliverAsync(id);
        var finished = Stopwatch.StartNew();
        var answers = new List<TestResponse>();
        while (true)
        {
            var response = await poll.WaitAsync(TimeSpan.FromSeconds(30));
            answers.Add(response);
            if (response.Status != StatusCodes.Status200OK || response.Generation.Status == "completed" || answers.Count == 3)
            {
                break;
            }

            poll = app.Api.GetAsync(token, id.ToString(), response.Headers.ETag, prefer: "wait=30");
        }

        output.WriteLine($"completed shown {finished.ElapsedMilliseconds} ms after the worker finished, in {answers.Count} long-polls");

        // Assert: every answer came from a change (the fake clock never reached a deadline).
        Assert.All(answers, a => Assert.Equal(StatusCodes.Status200OK, a.Status));
        Assert.Equal("completed", answers[^1].Generation.Status);
        Assert.Equal("wait=30", answers[^1].Headers["Preference-Applied"].ToString());
        Assert.Contains("Prefer", answers[^1].Headers.Vary.ToString());
        Assert.Contains("Preference-Applied", answers[^1].Headers.AccessControlExposeHeaders.ToString());
    }

    [Fact]
    public async Task Get_WithPreferWait_Returns304AfterTheWait_WhenNothingChanged()
    {
        // Arrange
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FunctionApp.StartAsync(clock: clock);
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = await ProcessingGenerationAsync(app, token);
        var current = await app.Api.GetAsync(token, id.ToString());

        // Act
        var poll = app.Api.GetAsync(token, id.ToString(), current.Headers.ETag, prefer: "wait=5");
        await WaitingAsync(app, 1);
        clock.Advance(TimeSpan.FromSeconds(4));
        var earlier = await Task.WhenAny(poll, Task.Delay(300));
        clock.Advance(TimeSpan.FromSeconds(1));
        var response = await poll.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.NotSame(poll, earlier);
        Assert.Equal(StatusCodes.Status304NotModified, response.Status);
        Assert.Empty(response.Body);
        Assert.Equal(current.Headers.ETag.ToString(), response.Headers.ETag.ToString());
        Assert.Equal("wait=5", response.Headers["Preference-Applied"].ToString());
    }

    [Theory]
    [InlineData("wait=500", "wait=50")]
    [InlineData("respond-async, wait=7", "wait=7")]
    [InlineData("handling=lenient; x=1, wait=\"12\"", "wait=12")]
    public async Task Get_AppliesTheWaitItWasAskedFor_CappedBySetting(string prefer, string applied)
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = await ProcessingGenerationAsync(app, token);

        // Act: no If-None-Match, so there is nothing to wait for.
        var response = await app.Api.GetAsync(token, id.ToString(), prefer: prefer);

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(applied, response.Headers["Preference-Applied"].ToString());
    }

    [Fact]
    public async Task Get_WithLongPollingOff_IgnoresPrefer()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Api:MaxWaitSeconds"] = "0");
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = await ProcessingGenerationAsync(app, token);
        var current = await app.Api.GetAsync(token, id.ToString());

        // Act
        var response = await app.Api.GetAsync(token, id.ToString(), current.Headers.ETag, prefer: "wait=30");

        // Assert
        Assert.Equal(StatusCodes.Status304NotModified, response.Status);
        Assert.False(response.Headers.ContainsKey("Preference-Applied"));
    }

    [Fact]
    public async Task Get_ForAGenerationDeletedWhileWaiting_Is404()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = await ProcessingGenerationAsync(app, token);
        var current = await app.Api.GetAsync(token, id.ToString());
        var poll = app.Api.GetAsync(token, id.ToString(), current.Headers.ETag, prefer: "wait=30");
        await WaitingAsync(app, 1);

        // Act
        await app.Api.DeleteAsync(token, id.ToString());
        var response = await poll.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, response.Status);
        Assert.Equal("generation_not_found", response.ProblemCode);
    }

    [Fact]
    public async Task Create_WithPreferWait_Returns201WithTheFinishedGeneration_WhenItEndsInTime()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = TestTokens.For(TestTokens.NewUserId());
        var worker = Task.Run(async () =>
        {
            // The worker, as the queue trigger would run it once the message is there.
            var message = await EventuallyAsync(async () =>
                await app.RawQueue.ExistsAsync() ? (await app.RawQueue.ReceiveMessageAsync()).Value : null);
            await app.DeliverAsync(Guid.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText))));
        });

        // Act
        var response = await app.Api.CreateAsync(token, new { prompt = "a banana at once" }, new Dictionary<string, string> { ["Prefer"] = "wait=30" })
            .WaitAsync(TimeSpan.FromSeconds(30));
        await worker;

        // Assert
        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal("completed", response.Generation.Status);
        Assert.Equal($"/api/generations/{response.Generation.Id}", response.Headers.Location.ToString());
        Assert.Equal("wait=30", response.Headers["Preference-Applied"].ToString());
    }

    [Fact]
    public async Task Create_WithPreferWait_Returns202_WhenTheGenerationIsStillRunningAtTheDeadline()
    {
        // Arrange
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FunctionApp.StartAsync(clock: clock);
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var create = app.Api.CreateAsync(token, new { prompt = "a banana that takes its time" }, new Dictionary<string, string> { ["Prefer"] = "wait=2" });
        await WaitingAsync(app, 1);
        clock.Advance(TimeSpan.FromSeconds(2));
        // The waiter counts itself before it reads the row and arms its timer, so under load the timer can be armed
        // just after that advance, 2 s from then: time keeps moving (a second per 50 ms) until the create answers.
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!create.IsCompleted)
            {
                await Task.Delay(50, bound.Token);
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var response = await create;

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.Equal("pending", response.Generation.Status);
    }

    [Fact]
    public async Task FiveHundredWaitingPolls_AreServedByOneListenConnection_AndHoldNoPooledConnection()
    {
        // Arrange: 500 processing generations, a long-poll on each, a pool of at most 10 connections.
        await using var db = await TestDatabase.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 10 }.ConnectionString;
        await using var app = await FunctionApp.StartAsync(
            settings =>
            {
                settings["Postgres:ConnectionString"] = pooled;
                settings["Api:MaxWaitsPerUser"] = "500"; // one user's 500 waits, above the default caps (LongPollCapTests)
                settings["Api:MaxWaitsPerInstance"] = "500";
            }, clock: new FakeTimeProvider(DateTimeOffset.UtcNow), database: db);
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        await app.ExecuteSqlAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, attempt, run_attempt, started_at, created_at, updated_at)
            SELECT gen_random_uuid(), @owner, 'processing', 'a banana in a crowd', 1, 1, now(), now(), now() FROM generate_series(1, 500)
            """, ("owner", owner));
        var ids = await IdsAsync(app, owner);
        var polls = ids.Select(id => Task.Run(() => app.Api.GetAsync(token, id.ToString(), "W/\"1\"", prefer: "wait=50"))).ToList();
        await WaitingAsync(app, 500);
        var (listeners, connections) = await ConnectionsAsync(db);

        // Act: the worker finishes all of them at once.
        await app.ExecuteSqlAsync("""
            UPDATE generations SET status = 'completed', completed_at = now(), version = version + 1 WHERE owner_id = @owner
            """, ("owner", owner));
        var responses = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(60));

        // Assert
        Assert.Equal(1, listeners);
        Assert.True(connections <= 10 + 1, $"{connections} connections while 500 requests waited");
        Assert.All(responses, r => Assert.Equal(StatusCodes.Status200OK, r.Status));
        Assert.All(responses, r => Assert.Equal("completed", r.Generation.Status));
        Assert.Equal(0, app.Services.GetRequiredService<GenerationChanges>().Waiting);
    }

    [Fact]
    public async Task AKilledListenConnection_IsMadeAgain_AndAChangeMadeWhileItWasDown_StillWakesTheWaiter()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = await ProcessingGenerationAsync(app, token);
        var current = await app.Api.GetAsync(token, id.ToString());
        var poll = app.Api.GetAsync(token, id.ToString(), current.Headers.ETag, prefer: "wait=50");
        await WaitingAsync(app, 1);
        var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database!;
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        await using var writer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString);
        await writer.OpenAsync();
        var before = await ListenerPidAsync(admin, database);

        // Act: the listener dies and cannot come back; the generation finishes meanwhile (its NOTIFY
        // reaches nobody); then the database takes connections again.
        await ExecuteAsync(admin, $"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
        await ExecuteAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND application_name = '{PostgresListener.ApplicationName}'");
        await ExecuteAsync(writer, $"UPDATE generations SET status = 'completed', completed_at = now(), version = version + 1 WHERE id = '{id}'");
        await Task.Delay(500);
        var stillWaiting = !poll.IsCompleted;
        await ExecuteAsync(admin, $"ALTER DATABASE {database} ALLOW_CONNECTIONS true");
        var response = await poll.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.True(stillWaiting, "the waiter was answered while no one listened");
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("completed", response.Generation.Status);
        var after = await EventuallyAsync(() => ListenerPidAsync(admin, database));
        Assert.NotEqual(before, after);
        Assert.Contains(app.Logs.Lines, l => l.Message.StartsWith("The LISTEN connection failed", StringComparison.Ordinal));
    }

    private static async Task<Guid> ProcessingGenerationAsync(FunctionApp app, string token)
    {
        var generation = await app.Api.CreateGenerationAsync(token);
        await app.ExecuteSqlAsync("UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, started_at = now() WHERE id = @id", ("id", generation.Id));
        return generation.Id;
    }

    private static async Task WaitingAsync(FunctionApp app, int count)
    {
        var changes = app.Services.GetRequiredService<GenerationChanges>();
        await EventuallyAsync(() => Task.FromResult(changes.Waiting >= count ? (object?)true : null));
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    private static async Task<List<Guid>> IdsAsync(FunctionApp app, string owner)
    {
        await using var command = app.DataSource.CreateCommand("SELECT id FROM generations WHERE owner_id = @owner");
        command.Parameters.AddWithValue("owner", owner);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task<(long Listeners, long Connections)> ConnectionsAsync(TestDatabase db)
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
        await using var command = new NpgsqlCommand(
            // The instance's liveness session is its other direct session: idle here, and not what the polls use.
            "SELECT count(*) FILTER (WHERE application_name = @listen), count(*) FILTER (WHERE application_name IS DISTINCT FROM @live) " +
            "FROM pg_stat_activity WHERE datname = @db", admin);
        command.Parameters.AddWithValue("listen", PostgresListener.ApplicationName);
        command.Parameters.AddWithValue("live", NanoBanana.Functions.Processing.LivenessSession.ApplicationName);
        command.Parameters.AddWithValue("db", database!);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<int?> ListenerPidAsync(NpgsqlConnection admin, string database)
    {
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @db AND application_name = @listen", admin);
        command.Parameters.AddWithValue("db", database);
        command.Parameters.AddWithValue("listen", PostgresListener.ApplicationName);
        return (int?)await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
