using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Events;

/// <summary>
/// The event log (migration 014): one event per state change, written by the triggers in the change's
/// own transaction, whoever makes it; numbered per generation and per owner; under row-level security.
/// </summary>
public sealed class GenerationEventLogTests
{
    [Fact]
    public async Task ACompletedGeneration_HasQueuedStartedStoredCompleted_InOrder()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();
        var id = (await app.Api.CreateGenerationAsync(TestTokens.For(owner))).Id;

        // Act
        await app.DeliverUntilSettledAsync(id);

        // Assert
        var events = await EventsAsync(app, owner, id);
        Assert.Equal(["queued", "started", "stored", "completed"], events.Select(e => e.Kind));
        Assert.Equal([1, 2, 3, 4], events.Select(e => e.Seq));
        Assert.Equal(1, events[1].Attempt);
        Assert.Equal(1, events[2].Data.GetProperty("images").GetInt32());
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Cursor > p.First.Cursor));
    }

    [Fact]
    public async Task CancelRetryAndAnOperatorsUpdate_EachLeaveTheirEvent()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var id = (await app.Api.CreateGenerationAsync(token)).Id;

        // Act: the API cancels and retries; then a change made by hand in SQL, past every C# path.
        Assert.Equal(StatusCodes.Status200OK, (await app.Api.CancelAsync(token, id.ToString())).Status);
        Assert.Equal(StatusCodes.Status202Accepted, (await app.Api.RetryAsync(token, id.ToString())).Status);
        await app.ExecuteSqlAsync(
            "UPDATE generations SET status = 'failed', error_code = 'STUCK', error_message = 'by hand', error_retryable = true, completed_at = now(), version = version + 1 WHERE id = @id",
            ("id", id));

        // Assert
        var events = await EventsAsync(app, owner, id);
        Assert.Equal(["queued", "cancelled", "queued", "failed"], events.Select(e => e.Kind));
        Assert.Equal("STUCK", events[^1].Data.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ALeaseRenewal_AddsNoEvent_AndAReclaimIsStartedAgain()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();
        var id = (await app.Api.CreateGenerationAsync(TestTokens.For(owner))).Id;
        await app.ExecuteSqlAsync("UPDATE generations SET status = 'processing', attempt = 1, lease_expires_at = now() + interval '1 minute' WHERE id = @id", ("id", id));

        // Act: a heartbeat, then a second claim after the lease ran out.
        await app.ExecuteSqlAsync("UPDATE generations SET lease_expires_at = now() + interval '2 minutes' WHERE id = @id", ("id", id));
        await app.ExecuteSqlAsync("UPDATE generations SET attempt = 2, lease_expires_at = now() + interval '1 minute' WHERE id = @id", ("id", id));

        // Assert
        var events = await EventsAsync(app, owner, id);
        Assert.Equal(["queued", "started", "started"], events.Select(e => e.Kind));
        Assert.Equal([0, 1, 2], events.Select(e => e.Attempt));
    }

    [Fact]
    public async Task AnotherUser_SeesNoneOfTheEvents_AndDeletingTheGeneration_DeletesThem()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();
        var id = (await app.Api.CreateGenerationAsync(TestTokens.For(owner))).Id;
        var store = new EventLogStore(app.DataSource);

        // Act: row-level security answers for the API's role, even for a query that names the owner.
        var asOther = await app.DataSource.ExecuteAsCallerAsync(TestTokens.NewUserId(),
            "SELECT count(*) FROM generation_event_log WHERE generation_id = @id", [new NpgsqlParameter("id", id)],
            async (reader, ct) => { await reader.ReadAsync(ct); return reader.GetInt64(0); }, CancellationToken.None);
        Assert.Equal(StatusCodes.Status204NoContent, (await app.Api.DeleteAsync(TestTokens.For(owner), id.ToString())).Status);

        // Assert
        Assert.Equal(0, asOther);
        Assert.False((await store.GenerationEventsAsync(owner, id, 0, 10, CancellationToken.None)).Exists);
        Assert.Equal(0, await app.ScalarAsync("SELECT count(*) FROM generation_event_log WHERE generation_id = @id", ("id", id)));
    }

    [Fact]
    public async Task TheKindsInCode_AreTheKindsTheDatabaseAccepts()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();

        // Act
        var definition = await app.DataSource.ExecuteAsMaintenanceAsync(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'generation_event_log'::regclass AND conname LIKE '%kind%'", [],
            async (reader, ct) => { await reader.ReadAsync(ct); return reader.GetString(0); }, CancellationToken.None);

        // Assert: every kind of the C# list, and nothing else, is in the CHECK.
        var inSql = System.Text.RegularExpressions.Regex.Matches(definition, "'([a-z]+)'::text").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(GenerationEventKind.All.Order(), inSql.Order());
        Assert.All(Enum.GetValues<GenerationStatus>().Where(s => s.IsTerminal()), s => Assert.Contains(s.ToName(), GenerationEventKind.All));
    }

    private static async Task<List<GenerationLogEvent>> EventsAsync(FunctionApp app, string owner, Guid id) =>
        [.. (await new EventLogStore(app.DataSource).GenerationEventsAsync(owner, id, 0, 100, CancellationToken.None)).Events];
}
