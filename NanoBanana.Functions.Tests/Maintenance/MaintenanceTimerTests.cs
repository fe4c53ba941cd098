using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Maintenance;

/// <summary>The timer functions as the host calls them: a TimerInfo, nothing else.</summary>
public sealed class MaintenanceTimerTests
{
    [Fact]
    public async Task DailyCleanup_DeletesExpiredGenerations_ThenRepairs()
    {
        // Arrange: one expired generation, and one whose message was lost.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-31));
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(clock: clock, database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        var expired = await app.Api.CreateGenerationAsync(token);
        clock.Advance(TimeSpan.FromDays(31));
        var lost = await app.Api.CreateGenerationAsync(token);
        await app.ExecuteSqlAsync("UPDATE generations SET enqueued_at = NULL WHERE id = @id", ("id", lost.Id));
        await app.RawQueue.ClearMessagesAsync();

        // Act
        await app.Function<MaintenanceTimers>().DailyCleanup(new TimerInfo(), CancellationToken.None);

        // Assert
        Assert.Equal(404, (await app.Api.GetAsync(token, expired.Id.ToString())).Status);
        Assert.Single((await app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
    }

    [Fact]
    public async Task RepairSweep_RequeuesAnExpiredLease()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, started_at = created_at,
                                   lease_expires_at = now() - interval '1 minute'
            WHERE id = @id
            """, ("id", generation.Id));

        // Act
        await app.Function<MaintenanceTimers>().RepairSweep(new TimerInfo(), CancellationToken.None);

        // Assert
        Assert.Equal("pending", (await app.RowAsync(generation.Id)).Status);
    }
}
