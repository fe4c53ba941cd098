using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>
/// The SECURITY DEFINER functions run with their owner's rights: generations_record_ending whenever a
/// generation ends, generations_record_event and generation_event_append on every change the event log
/// records. Their search_path is pinned (migrations 011 and 014), so objects someone else creates earlier
/// in a search path cannot stand in for the tables they read. A new definer function must be added to
/// the list below on purpose.
/// </summary>
public sealed class DefinerFunctionTests
{
    [Fact]
    public async Task EveryDefinerFunction_PinsItsSearchPath_ToPublicThenPgTemp()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);

        var unpinned = await app.ScalarAsync("""
            SELECT count(*) FROM pg_proc
            WHERE prosecdef AND pronamespace = current_schema()::regnamespace
              AND NOT coalesce('search_path=public, pg_temp' = ANY(proconfig), false)
            """);
        string[] known = ["generations_record_ending", "generations_record_event", "generation_event_append"];
        var definers = await app.ScalarAsync("SELECT count(*) FROM pg_proc WHERE prosecdef AND pronamespace = current_schema()::regnamespace");
        var unknown = await app.ScalarAsync(
            "SELECT count(*) FROM pg_proc WHERE prosecdef AND pronamespace = current_schema()::regnamespace AND proname <> ALL(@known)", ("known", known));

        Assert.Equal(0, unpinned);
        Assert.Equal(0, unknown);
        Assert.Equal(known.Length, definers);
    }

    [Fact]
    public async Task ASchemaNamedAfterTheOwner_CannotShadowTheTablesTheDefinerFunctionReads()
    {
        // Arrange: the default path starts with "$user", which inside the function is its owner. A schema
        // by that name with its own push_subscriptions claims every user has a browser to notify.
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var userId = TestTokens.NewUserId();
        await app.ExecuteSqlAsync("""
            DO $$
            DECLARE owner_name text := (SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'generations_record_ending');
            BEGIN
                EXECUTE format('CREATE SCHEMA %I', owner_name);
                EXECUTE format('CREATE TABLE %I.push_subscriptions (owner_id text)', owner_name);
                EXECUTE format('INSERT INTO %I.push_subscriptions SELECT %L', owner_name, current_setting('nanobanana.test_user'));
            END $$
            """.Replace("current_setting('nanobanana.test_user')", $"'{userId}'", StringComparison.Ordinal));
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(userId));

        // Act
        await app.DeliverUntilSettledAsync(generation.Id);

        // Assert: the real push_subscriptions has no row for this user, so nothing was recorded.
        Assert.Equal(("completed", 1), await StatusAsync(app, generation.Id));
        Assert.Equal(0, await app.ScalarAsync("SELECT count(*) FROM public.generation_events WHERE generation_id = @id", ("id", generation.Id)));
    }

    private static async Task<(string, int)> StatusAsync(FunctionApp app, Guid id)
    {
        var (status, attempt, _) = await app.RowAsync(id);
        return (status, attempt);
    }
}
