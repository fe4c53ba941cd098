using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Realtime;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>
/// A conditional poll whose ETag is still current is answered from what the instance's LISTEN session
/// announced (Realtime/KnownVersions), on real Postgres. Where a test must show that no query ran, the
/// database stops taking connections and the app's connections are unpooled: any query would fail.
/// </summary>
public sealed class PollsFromMemoryTests
{
    [Fact]
    public async Task AnUnchangedPoll_Is304FromMemory_WhileTheDatabaseTakesNoConnections()
    {
        // Arrange: every query of the app needs a new connection.
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(
            settings => settings["Postgres:ConnectionString"] = Unpooled(db.ConnectionString), database: db);
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var id = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, id, version: 2);
        var current = await app.Api.GetAsync(token, id.ToString());
        await using var admin = await AdminAsync(db);

        // Act
        await AllowConnectionsAsync(admin, db, false);
        TestResponse fromMemory, plain, otherOwner;
        try
        {
            fromMemory = await app.Api.GetAsync(token, id.ToString(), current.Headers.ETag);
            plain = await app.Api.GetAsync(token, id.ToString());
            otherOwner = await app.Api.GetAsync(TestTokens.For(TestTokens.NewUserId()), id.ToString(), current.Headers.ETag);
        }
        finally
        {
            await AllowConnectionsAsync(admin, db, true);
        }

        // Assert: the 304 is the one the database path gives; anything that needs a query could not run.
        Assert.Equal(StatusCodes.Status304NotModified, fromMemory.Status);
        Assert.Empty(fromMemory.Body);
        Assert.Equal(current.Headers.ETag.ToString(), fromMemory.Headers.ETag.ToString());
        Assert.Equal(current.Headers.RetryAfter.ToString(), fromMemory.Headers.RetryAfter.ToString());
        Assert.Equal("private, no-cache", fromMemory.Headers.CacheControl.ToString());
        Assert.True(plain.Status >= 500, $"a plain GET reached the database: {plain}");
        Assert.True(otherOwner.Status >= 500, $"another user's poll was not sent to the database: {otherOwner}");
    }

    [Fact]
    public async Task AfterAChange_TheOldETagGets200WithTheNewOne_AndTheNewOne304()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var id = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, id, version: 2);
        var before = await app.Api.GetAsync(token, id.ToString());

        // Act: the worker finishes it; this instance hears of it.
        await app.ExecuteSqlAsync(
            "UPDATE generations SET status = 'completed', completed_at = now(), version = version + 1 WHERE id = @id", ("id", id));
        await KnownAsync(app, owner, id, version: 3);
        var changed = await app.Api.GetAsync(token, id.ToString(), before.Headers.ETag);
        var again = await app.Api.GetAsync(token, id.ToString(), changed.Headers.ETag);

        // Assert
        Assert.Equal(StatusCodes.Status200OK, changed.Status);
        Assert.Equal("completed", changed.Generation.Status);
        Assert.NotEqual(before.Headers.ETag.ToString(), changed.Headers.ETag.ToString());
        Assert.Equal("W/\"3\"", changed.Headers.ETag.ToString());
        Assert.Equal(StatusCodes.Status304NotModified, again.Status);
        Assert.False(again.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task AChangeMissedWhileTheListenSessionWasKilled_IsNeverAnswered304()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var id = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, id, version: 2);
        var before = await app.Api.GetAsync(token, id.ToString());
        await using var admin = await AdminAsync(db);
        await using var writer = new NpgsqlConnection(Unpooled(db.ConnectionString));
        await writer.OpenAsync();
        var listener = await ListenerPidAsync(admin, db);

        // Act: the session is killed and cannot come back; the generation finishes meanwhile (its NOTIFY
        // reaches nobody); the owner polls with the old ETag, then again once the session is back.
        TestResponse whileDown;
        try
        {
            await AllowConnectionsAsync(admin, db, false);
            await ExecuteAsync(admin, $"SELECT pg_terminate_backend({listener})");
            await EventuallyAsync(() => Task.FromResult(
                app.Logs.Lines.Any(l => l.Message.StartsWith("The LISTEN connection failed", StringComparison.Ordinal)) ? (object?)true : null));
            await ExecuteAsync(writer, $"UPDATE generations SET status = 'completed', completed_at = now(), version = version + 1 WHERE id = '{id}'");
            whileDown = await app.Api.GetAsync(token, id.ToString(), before.Headers.ETag); // through a connection the pool kept
        }
        finally
        {
            await AllowConnectionsAsync(admin, db, true);
        }

        await EventuallyAsync(async () => await ListenerPidAsync(admin, db) is { } pid && pid != listener ? (object?)true : null);
        await EventuallyAsync(() => Task.FromResult(app.Services.GetRequiredService<KnownVersions>().Trusted ? (object?)true : null));
        var afterReconnect = await app.Api.GetAsync(token, id.ToString(), before.Headers.ETag);

        // Assert
        Assert.Equal(StatusCodes.Status200OK, whileDown.Status);
        Assert.Equal("completed", whileDown.Generation.Status);
        Assert.Equal(StatusCodes.Status200OK, afterReconnect.Status);
        Assert.Equal("completed", afterReconnect.Generation.Status);
        Assert.Null(app.Services.GetRequiredService<KnownVersions>().Find(owner, id)); // the missed change was not learnt from the read
    }

    [Fact]
    public async Task AGenerationTheCleanupDeletedQuietly_Is404_NotA304FromMemory()
    {
        // Arrange: a generation past retention, announced (its last change) and known.
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var id = await ProcessingGenerationAsync(app, token);
        await app.ExecuteSqlAsync(
            "UPDATE generations SET created_at = now() - interval '400 days', version = version + 1 WHERE id = @id", ("id", id));
        await KnownAsync(app, owner, id, version: 3);

        // Act: the cleanup's deletes name no row (migration 008); its batch says "purge" once.
        var report = await app.Services.GetRequiredService<NanoBanana.Functions.Maintenance.CleanupService>()
            .RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        // Notifications arrive in commit order: once a later change is known, whatever the cleanup said was heard.
        var later = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, later, version: 2);
        var poll = await app.Api.GetAsync(token, id.ToString(), "W/\"3\"");

        // Assert
        Assert.Equal(1, report.DeletedGenerations);
        Assert.Equal(StatusCodes.Status404NotFound, poll.Status);
        Assert.Null(app.Services.GetRequiredService<KnownVersions>().Find(owner, id));
    }

    [Fact]
    public async Task AnotherUsersId_Is404AsAMissingOneIs_ThoughItsVersionIsKnown()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();
        var id = await ProcessingGenerationAsync(app, TestTokens.For(owner));
        await KnownAsync(app, owner, id, version: 2);
        var stranger = TestTokens.For(TestTokens.NewUserId());

        // Act
        var theirs = await app.Api.GetAsync(stranger, id.ToString(), "W/\"2\"");
        var missing = await app.Api.GetAsync(stranger, Guid.NewGuid().ToString(), "W/\"2\"");

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, theirs.Status);
        Assert.Equal("generation_not_found", theirs.ProblemCode);
        Assert.Equal(missing.Status, theirs.Status);
        Assert.Equal(missing.ProblemCode, theirs.ProblemCode);
        Assert.Equal(missing.ContentType, theirs.ContentType);
    }

    [Fact]
    public async Task TheMap_HoldsAtMostMaxEntries_AndForgetsAnAnnouncementOlderThanMaxAge()
    {
        // Arrange: at most 2 entries for 60 s; probes far apart, so only the age decides.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["KnownVersions:MaxEntries"] = "2";
            settings["KnownVersions:MaxAgeSeconds"] = "60";
            settings["KnownVersions:ProbeSeconds"] = "300";
        }, clock: clock);
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var known = app.Services.GetRequiredService<KnownVersions>();
        var first = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, first, version: 2);
        clock.Advance(TimeSpan.FromSeconds(30));
        var second = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, second, version: 2);

        // Act
        var third = await ProcessingGenerationAsync(app, token);
        await KnownAsync(app, owner, third, version: 2);
        var heldAfterThree = known.Count;
        var firstAfterThree = known.Find(owner, first);
        clock.Advance(TimeSpan.FromSeconds(31)); // the third was announced 31 s ago
        var thirdAtAge = known.Find(owner, third);
        clock.Advance(TimeSpan.FromSeconds(30)); // and now 61 s ago
        var thirdPastAge = known.Find(owner, third);

        // Assert
        Assert.True(heldAfterThree <= 2, $"{heldAfterThree} entries");
        Assert.Null(firstAfterThree);
        Assert.NotNull(thirdAtAge);
        Assert.Null(thirdPastAge);
        Assert.Equal(StatusCodes.Status304NotModified, (await app.Api.GetAsync(token, third.ToString(), "W/\"2\"")).Status); // from the database
    }

    /// <summary>A generation being processed at version 2 (the claim's bump), announced like any other change.</summary>
    private static async Task<Guid> ProcessingGenerationAsync(FunctionApp app, string token)
    {
        // Only what a listening session hears is known: the app's session may still be connecting.
        var known = app.Services.GetRequiredService<KnownVersions>();
        await EventuallyAsync(() => Task.FromResult(known.Trusted ? (object?)true : null));
        var generation = await app.Api.CreateGenerationAsync(token);
        await app.ExecuteSqlAsync(
            "UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, started_at = now(), version = version + 1 WHERE id = @id",
            ("id", generation.Id));
        return generation.Id;
    }

    private static Task KnownAsync(FunctionApp app, string owner, Guid id, long version)
    {
        var known = app.Services.GetRequiredService<KnownVersions>();
        return EventuallyAsync(() => Task.FromResult(known.Find(owner, id)?.Version == version ? (object?)true : null));
    }

    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static async Task<NpgsqlConnection> AdminAsync(TestDatabase db)
    {
        var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Unpooled(db.ConnectionString)) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        return admin;
    }

    private static Task AllowConnectionsAsync(NpgsqlConnection admin, TestDatabase db, bool allow) =>
        ExecuteAsync(admin, $"ALTER DATABASE {new NpgsqlConnectionStringBuilder(db.ConnectionString).Database} ALLOW_CONNECTIONS {(allow ? "true" : "false")}");

    private static async Task<int?> ListenerPidAsync(NpgsqlConnection admin, TestDatabase db)
    {
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @db AND application_name = @listen", admin);
        command.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(db.ConnectionString).Database!);
        command.Parameters.AddWithValue("listen", PostgresListener.ApplicationName);
        return (int?)await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task EventuallyAsync(Func<Task<object?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await probe() is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
