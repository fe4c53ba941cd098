using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Data;

/// <summary>
/// The endings are one set in C# (<see cref="GenerationStatuses.IsTerminal"/>) and several in
/// SQL (the status CHECKs, the outbox trigger, the event log). A new ending, such as expired, that one of
/// them misses would be refused by the database or silently never notified: each ending is tried on
/// the real schema.
/// </summary>
public sealed class EndingStatusTests : IAsyncLifetime
{
    private FunctionApp _app = null!;

    public static TheoryData<string> Endings()
    {
        var endings = new TheoryData<string>();
        foreach (var status in Enum.GetValues<GenerationStatus>().Where(s => s.IsTerminal()))
        {
            endings.Add(status.ToName());
        }

        return endings;
    }

    public async Task InitializeAsync() => _app = await FunctionApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task EveryEnding_IsStored_Notified_AndLogged(string ending)
    {
        // Arrange: an owner with a browser to notify.
        var owner = TestTokens.NewUserId();
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(owner));
        await _app.ExecuteSqlAsync(
            "INSERT INTO push_subscriptions (id, owner_id, endpoint, p256dh, auth, created_at) VALUES (gen_random_uuid(), @owner, 'https://push.example/x', 'k', 'a', now())",
            ("owner", owner));

        // Act: the row ends as any writer would end it.
        await _app.ExecuteSqlAsync("""
            UPDATE generations
            SET status = @status, completed_at = now(), version = version + 1,
                error_code = CASE WHEN @status = 'failed' THEN 'STUCK' END,
                cancel_outcome = CASE WHEN @status IN ('cancelled', 'expired') THEN 'before_call' END
            WHERE id = @id
            """, ("id", generation.Id), ("status", ending));

        // Assert
        Assert.Equal(1, await _app.ScalarAsync("SELECT count(*) FROM generation_events WHERE generation_id = @id AND status = @status",
            ("id", generation.Id), ("status", ending)));
        Assert.Equal(1, await _app.ScalarAsync("SELECT count(*) FROM generation_event_log WHERE generation_id = @id AND kind = @status",
            ("id", generation.Id), ("status", ending)));
        Assert.True(GenerationEventKind.IsEnding(ending));
    }

    [Fact]
    public async Task ACancelledRow_CannotBeStoredWithoutSayingWhatItCost()
    {
        // Arrange
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));

        // Act
        var refused = await Record.ExceptionAsync(() => _app.ExecuteSqlAsync(
            "UPDATE generations SET status = 'cancelled', completed_at = now() WHERE id = @id", ("id", generation.Id)));

        // Assert
        var postgres = Assert.IsType<Npgsql.PostgresException>(refused);
        Assert.Equal("generations_cancel_outcome_check", postgres.ConstraintName);
    }
}
