using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>
/// The app logged in as a role with no privileges of its own (NOINHERIT), only membership in
/// nanobanana_api and nanobanana_maintenance: everything works because every statement takes on
/// the right role, and nothing works without it.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private const string Login = "nanobanana_app_test";
    // Quotes and semicolons: the script must pass any password through intact.
    private const string Password = "least'privilege;test\"";

    [Fact]
    public async Task TheWholePipeline_RunsAsALoginThatOnlyHoldsTheTwoRoles()
    {
        // Arrange: the login made the way a deployment makes it (database/create-login.sh, run twice as redeploys do).
        await using var db = await TestDatabase.CreateAsync();
        await using var owner = await FunctionApp.StartAsync(database: db);
        for (var run = 0; run < 2; run++)
        {
            var login = await ProcessRunner.RunScriptAsync(["database", "create-login.sh"], [TestDatabase.UrlOf(db.ConnectionString), Login],
                new Dictionary<string, string?> { ["NANOBANANA_APP_PASSWORD"] = Password });
            Assert.True(login.ExitCode == 0, login.ToString());
        }

        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Login, Password = Password }.ConnectionString;
        await using var app = await FunctionApp.StartAsync(settings => settings["Postgres:ConnectionString"] = connectionString);
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var created = await app.Api.CreateAsync(token, new { prompt = "least privilege" });
        await app.DeliverUntilSettledAsync(created.Generation.Id);
        var read = await app.Api.GetAsync(token, created.Generation.Id.ToString());
        var stats = await app.Services.GetRequiredService<StatsService>().GetAsync(7, CancellationToken.None);
        var repair = await app.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: true, CancellationToken.None);
        var cleanup = await app.Services.GetRequiredService<CleanupService>().RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        var verified = await app.Services.GetRequiredService<DatabaseVerifier>().VerifyAsync(CancellationToken.None);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal("completed", read.Generation.Status);
        Assert.Equal(1, stats.CountsByStatus["completed"]);
        Assert.Equal(0, repair.SendFailures);
        Assert.True(cleanup.Finished);
        Assert.True(verified.Healthy, string.Join("; ", verified.Checks.Where(c => !c.Ok).Select(c => c.Detail)));

        // ...and the login by itself cannot touch the table.
        await using var bare = new NpgsqlConnection(connectionString);
        await bare.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT count(*) FROM generations", bare);
        var denied = await Assert.ThrowsAsync<PostgresException>(() => select.ExecuteScalarAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}
