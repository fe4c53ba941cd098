using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Front;

/// <summary>Behind the front run the queue worker and the timer functions, so a browser test is end to end.</summary>
public sealed class FrontBackgroundTests
{
    [Fact]
    public async Task AGenerationWhoseMessageWasLost_CompletesOnceTheRepairTimerFires()
    {
        // Arrange: a generation whose message never reached the queue; the front's clock is the test's.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(clock: clock, database: db);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.RawQueue.ClearMessagesAsync();
        await app.ExecuteSqlAsync("UPDATE generations SET enqueued_at = NULL WHERE id = @id", ("id", generation.Id));
        await using var front = await HttpFront.StartAsync(app);

        // Act: move time on past the next RepairSweep (every 5 minutes) until the worker has finished.
        var status = "pending";
        for (var step = 0; step < 100 && status != "completed"; step++)
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            await Task.Delay(200);
            status = (await app.RowAsync(generation.Id)).Status;
        }

        // Assert
        Assert.Equal("completed", status);
    }
}
