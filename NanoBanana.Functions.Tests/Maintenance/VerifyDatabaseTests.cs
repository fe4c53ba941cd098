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
        Assert.Equal(["connectivity", "migrations", "tables", "indexes", "constraints", "triggers", "row-level security", "role privileges"], report.Checks.Select(c => c.Name));
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
