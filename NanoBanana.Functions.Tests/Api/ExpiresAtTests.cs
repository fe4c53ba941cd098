using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>expiresAt: the retention clock on every generation the API shows, and the time the daily cleanup really deletes it.</summary>
public sealed class ExpiresAtTests
{
    private static void SevenDays(Dictionary<string, string?> settings) => settings["Maintenance:RetentionDays"] = "7";

    private static DateTimeOffset ExpiresAt(JsonElement generation) => generation.GetProperty("expiresAt").GetDateTimeOffset();

    private static DateTimeOffset CreatedAt(JsonElement generation) => generation.GetProperty("createdAt").GetDateTimeOffset();

    [Fact]
    public async Task ExpiresAt_IsCreatedAtPlusTheRetention_OnCreateGetListAndChangedSince()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(SevenDays);
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var created = (await app.Api.CreateAsync(token, new { prompt = "a banana that will not last" })).Json;
        var id = created.GetProperty("id").GetString()!;
        await app.DeliverAsync(Guid.Parse(id));
        var read = (await app.Api.GetAsync(token, id)).Json;
        var listed = (await app.Api.ListAsync(token)).Json.GetProperty("items")[0];
        var changed = (await app.Api.ListAsync(token, "?changedSince=0")).Json.GetProperty("items")[0];

        // Assert
        var expected = CreatedAt(created) + TimeSpan.FromDays(7);
        Assert.Equal([expected, expected, expected, expected], new[] { created, read, listed, changed }.Select(ExpiresAt));
        Assert.Equal("completed", read.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ExpiresAt_IsWhenTheCleanupDeletesIt_NotASecondBefore()
    {
        // Arrange: a database of its own (the cleanup deletes every user's old rows, and this one runs days ahead),
        // the cleanup's own clock, on a whole second (Postgres keeps microseconds).
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(SevenDays, clock, db);
        var owner = TestTokens.NewUserId();
        var expiresAt = ExpiresAt((await app.Api.CreateAsync(TestTokens.For(owner), new { prompt = "a banana on the clock" })).Json);
        var cleanup = app.Services.GetRequiredService<CleanupService>();

        // Act
        clock.SetUtcNow(expiresAt);
        await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        var atExpiry = await app.CountRowsAsync(owner);
        clock.Advance(TimeSpan.FromSeconds(1));
        await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        var justAfter = await app.CountRowsAsync(owner);

        // Assert
        Assert.Equal((1, 0), (atExpiry, justAfter));
    }

    [Fact]
    public void TheCleanupsCutoff_AndExpiresAt_AreOneRule()
    {
        // Arrange
        var options = new MaintenanceOptions { RetentionDays = 30 };
        var created = new DateTimeOffset(2026, 1, 31, 23, 59, 59, TimeSpan.Zero);

        // Act
        var expiresAt = options.ExpiresAt(created);

        // Assert: a run at expiresAt cuts off exactly at the creation (kept: created_at < cutoff is false), a tick later it is past.
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 23, 59, 59, TimeSpan.Zero), expiresAt);
        Assert.Equal(created, options.CleanupCutoff(expiresAt));
        Assert.True(options.CleanupCutoff(expiresAt.AddTicks(1)) > created);
    }
}
