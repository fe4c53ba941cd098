using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Maintenance;

public sealed class VerifyDatabaseTests
{
    [Fact]
    public async Task Verify_PassesOnADatabaseBuiltByMigrate()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);

        // Act
        var response = await VerifyAsync(app);
        var report = response.Read<VerificationReport>();

        // Assert
        Assert.True(response.Status == StatusCodes.Status200OK, response.ToString());
        Assert.True(report.Healthy);
        Assert.Equal(["connectivity", "migrations", "routines", "tables", "indexes", "constraints", "triggers", "row-level security", "role privileges"], report.Checks.Select(c => c.Name));
    }

    [Fact]
    public async Task Verify_NamesADroppedIndex_AndAMigrationNotApplied()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        await app.ExecuteSqlAsync("DROP INDEX generations_created_idx");
        await app.ExecuteSqlAsync("DELETE FROM schema_migrations WHERE version = '002_run_attempt'");

        // Act
        var response = await VerifyAsync(app);
        var report = response.Read<VerificationReport>();

        // Assert
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.False(report.Healthy);
        var indexes = report.Checks.Single(c => c.Name == "indexes");
        Assert.False(indexes.Ok);
        Assert.Equal("missing: generations_created_idx", indexes.Detail);
        Assert.Contains("not applied: 002_run_attempt", report.Checks.Single(c => c.Name == "migrations").Detail);
        Assert.True(report.Checks.Single(c => c.Name == "constraints").Ok);
    }

    [Fact]
    public async Task ARoutineChangedSinceItWasApplied_IsNamed_AndMigrateAppliesItAgain()
    {
        // Arrange: the database ran an older generation_triggers.sql (a trigger function that does nothing).
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        await app.ExecuteSqlAsync("CREATE OR REPLACE FUNCTION queue_outbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$");
        await app.ExecuteSqlAsync("UPDATE schema_routines SET checksum = 'older' WHERE name = 'generation_triggers'");

        // Act
        var stale = (await VerifyAsync(app)).Read<VerificationReport>();
        var migrated = await ProcessRunner.RunScriptAsync(["database", "migrate.sh"], [TestDatabase.UrlOf(db.ConnectionString)]);
        var current = (await VerifyAsync(app)).Read<VerificationReport>();

        // Assert
        Assert.Equal("not current: generation_triggers (run database/migrate.sh)", stale.Checks.Single(c => c.Name == "routines").Detail);
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        Assert.Contains("applied routines generation_triggers", migrated.ToString());
        Assert.True(current.Healthy, string.Join("; ", current.Checks.Where(c => !c.Ok).Select(c => c.Detail)));
        Assert.Equal(1, await app.ScalarAsync("SELECT count(*) FROM pg_proc WHERE proname = 'queue_outbox_announce' AND prosrc LIKE '%pg_notify%'"));
    }

    [Theory]
    [InlineData("ALTER TABLE generations DISABLE ROW LEVEL SECURITY", "row-level security is disabled on generations")]
    [InlineData("DROP POLICY generations_owner_isolation ON generations", "policy missing: generations_owner_isolation")]
    [InlineData("ALTER TABLE generations DISABLE TRIGGER generations_erase_api_key", "missing: generations_erase_api_key")]
    [InlineData("ALTER TABLE generations OWNER TO nanobanana_api", "nanobanana_api owns or holds the owner's rights on generations")]
    [InlineData("ALTER TABLE generation_events OWNER TO nanobanana_maintenance", "nanobanana_maintenance owns or holds the owner's rights on generation_events")]
    public async Task Verify_NamesWeakenedSecurity(string sabotage, string expected)
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        await app.ExecuteSqlAsync(sabotage);

        // Act
        var report = (await VerifyAsync(app)).Read<VerificationReport>();

        // Assert
        Assert.False(report.Healthy);
        Assert.Contains(report.Checks, c => !c.Ok && c.Detail.Contains(expected));
    }

    [Fact]
    public async Task Verify_ReportsAnUnreachableDatabase_WithoutThrowing()
    {
        await using var app = await FunctionApp.StartAsync(settings =>
            settings["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=2");

        var report = (await VerifyAsync(app)).Read<VerificationReport>();

        Assert.False(report.Healthy);
        Assert.False(Assert.Single(report.Checks).Ok);
    }

    private static Task<TestResponse> VerifyAsync(FunctionApp app) =>
        app.InvokeAsync(app.Request("GET", "/api/maintenance/verify-database"),
            async r => await app.Function<MaintenanceFunctions>().VerifyDatabase(r, CancellationToken.None));
}
