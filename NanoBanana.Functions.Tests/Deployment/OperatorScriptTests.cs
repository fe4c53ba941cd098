using System.Text.Json;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// scripts/smoke.sh (the post-deploy test) and scripts/admin.sh (the operator commands), run with
/// bash, curl and jq against the real app served over HTTP by the test front (<see cref="HttpFront"/>,
/// routed by functions.metadata, with the queue worker behind it), as they would run against `func start`.
/// </summary>
public sealed class OperatorScriptTests
{
    [Fact]
    public async Task Smoke_Passes_AgainstTheRunningApp()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(QuietTimers);
        await using var front = await HttpFront.StartAsync(app);

        // Act
        var smoke = await SmokeAsync(ApiUrl(front), TestTokens.For(TestTokens.NewUserId()));

        // Assert: every step seen, and the generation gone afterwards.
        Assert.True(smoke.ExitCode == 0, smoke.ToString());
        Assert.Contains("ok   image: image/png", smoke.Output);
        Assert.Contains("ok   deleted (GET now answers 404)", smoke.Output);
        Assert.EndsWith("smoke test passed", smoke.Output.TrimEnd());
    }

    [Fact]
    public async Task Smoke_FailsSayingWhy_WhenTheGenerationFails()
    {
        await using var app = await FunctionApp.StartAsync(QuietTimers);
        await using var front = await HttpFront.StartAsync(app);

        var smoke = await SmokeAsync(ApiUrl(front), TestTokens.For(TestTokens.NewUserId()), "a banana [simulate:IMAGE_SAFETY]");

        Assert.Equal(1, smoke.ExitCode);
        Assert.Contains("FAIL: generation failed: IMAGE_SAFETY", smoke.Error);
    }

    [Fact]
    public async Task Smoke_Fails_WhenTheTokenIsRefused()
    {
        await using var app = await FunctionApp.StartAsync(QuietTimers);
        await using var front = await HttpFront.StartAsync(app);

        var smoke = await SmokeAsync(ApiUrl(front), TestTokens.For("someone", signingKey: "a-different-signing-key-0123456789-abcdefgh"));

        Assert.Equal(1, smoke.ExitCode);
        Assert.Contains("POST /generations answered 401, expected 202: invalid_token", smoke.Error);
    }

    [Fact]
    public async Task Admin_StatsAndVerify_ReadTheMaintenanceEndpoints()
    {
        // Arrange: one completed and one failed generation in a database of their own.
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(QuietTimers, database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        foreach (var prompt in new[] { "a banana", "a banana [simulate:SAFETY]" })
        {
            await app.DeliverUntilSettledAsync((await app.Api.CreateGenerationAsync(token, prompt)).Id);
        }

        await app.RawQueue.ClearMessagesAsync(); // delivered above already
        await using var front = await HttpFront.StartAsync(app);

        // Act
        var stats = await AdminAsync(ApiUrl(front), "stats");
        var statsJson = await AdminAsync(ApiUrl(front), "stats", "--days", "3", "--json");
        var verify = await AdminAsync(ApiUrl(front), "verify");

        // Assert
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains("success rate     50 %", stats.Output);
        Assert.Contains("failure reasons  SAFETY 1", stats.Output);
        var report = JsonDocument.Parse(statsJson.Output).RootElement;
        Assert.Equal(3, report.GetProperty("windowDays").GetInt32());
        Assert.Equal(1, report.GetProperty("countsByStatus").GetProperty("completed").GetInt32());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith("NanoBanana database: healthy", verify.Output);
        Assert.Contains("ok   migrations:", verify.Output);
    }

    [Fact]
    public async Task Admin_FixStuckCleanupAndAll_RunTheRepairAndTheCleanup()
    {
        // Arrange: a generation whose worker died mid-call (its lease long expired, no attempts left),
        // its message gone, so only the repair can end it.
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(QuietTimers, database: db);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.RawQueue.ClearMessagesAsync();
        var lastAttempt = new ProcessingOptions().MaxAttempts;
        await app.ExecuteSqlAsync($"""
            UPDATE generations SET status = 'processing', attempt = {lastAttempt}, run_attempt = {lastAttempt}, started_at = now() - interval '1 hour',
                   lease_expires_at = now() - interval '30 minutes', completed_at = NULL
            WHERE id = @id
            """, ("id", generation.Id));
        await using var front = await HttpFront.StartAsync(app);

        // Act
        var fixStuck = await AdminAsync(ApiUrl(front), "fix-stuck");
        var cleanup = await AdminAsync(ApiUrl(front), "cleanup");
        var all = await AdminAsync(ApiUrl(front), "all", "--json");

        // Assert
        Assert.True(fixStuck.ExitCode == 0, fixStuck.ToString());
        Assert.Contains("0 re-queued, 1 failed STUCK", fixStuck.Output);
        Assert.Equal(("failed", "STUCK"), await StatusAsync(app, generation.Id));
        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Contains("0 generations created before", cleanup.Output);
        var both = JsonDocument.Parse(all.Output).RootElement;
        Assert.True(both.GetProperty("cleanup").GetProperty("finished").GetBoolean());
        Assert.Equal(1, both.GetProperty("stats").GetProperty("countsByStatus").GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task Admin_ExitsNonZero_WhenTheAppDoesNotAnswer()
    {
        var stats = await AdminAsync("http://127.0.0.1:9/api", "stats");

        Assert.Equal(1, stats.ExitCode);
        Assert.Contains("admin: no answer from http://127.0.0.1:9/api/maintenance/stats", stats.Error);
    }

    // The front runs the timer functions too; scheduled for New Year, they cannot race what a test runs by hand.
    private static void QuietTimers(Dictionary<string, string?> settings)
    {
        settings["Maintenance:CleanupSchedule"] = "0 0 0 1 1 *";
        settings["Maintenance:RepairSchedule"] = "0 0 0 1 1 *";
    }

    /// <summary>The API's base URL, ending in /api, as NANOBANANA_API_URL names a deployed one.</summary>
    private static string ApiUrl(HttpFront front) => front.BaseUrl + "/api";

    private static Task<ProcessRunner.Result> SmokeAsync(string baseUrl, string token, string? prompt = null) =>
        ProcessRunner.RunScriptAsync(["scripts", "smoke.sh"], [baseUrl, token],
            new Dictionary<string, string?> { ["SMOKE_TIMEOUT"] = "60", ["SMOKE_PROMPT"] = prompt });

    private static Task<ProcessRunner.Result> AdminAsync(string baseUrl, params string[] arguments) =>
        ProcessRunner.RunScriptAsync(["scripts", "admin.sh"], arguments,
            new Dictionary<string, string?> { ["NANOBANANA_API_URL"] = baseUrl, ["NANOBANANA_ADMIN_KEY"] = "not-checked-locally" });

    private static async Task<(string, string?)> StatusAsync(FunctionApp app, Guid id)
    {
        var (status, _, code) = await app.RowAsync(id);
        return (status, code);
    }
}
