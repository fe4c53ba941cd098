using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Maintenance;

public sealed class CleanupTests
{
    [Fact]
    public async Task Cleanup_DeletesGenerationsPastRetention_WithTheirImages_AndKeepsYoungerOnes()
    {
        // Arrange: one generation made 31 days ago, one today.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-31));
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(clock: clock, database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        var body = new { prompt = "p", images = new[] { TestImages.Part("image/png", TestImages.Png) } };
        var old = (await app.Api.CreateAsync(token, body)).Generation;
        await app.DeliverUntilSettledAsync(old.Id);
        clock.Advance(TimeSpan.FromDays(31));
        var young = (await app.Api.CreateAsync(token, body)).Generation;

        // Act
        var report = await app.Services.GetRequiredService<CleanupService>().RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);

        // Assert
        Assert.Equal(1, report.DeletedGenerations);
        Assert.Equal(2, report.DeletedBlobs); // its input and its result
        Assert.True(report.Finished);
        Assert.Equal(StatusCodes.Status404NotFound, (await app.Api.GetAsync(token, old.Id.ToString())).Status);
        Assert.Empty(await app.BlobNamesAsync($"{old.Id:D}/"));
        Assert.Equal(StatusCodes.Status200OK, (await app.Api.GetAsync(token, young.Id.ToString())).Status);
        Assert.Equal([$"{young.Id:D}/input-0"], await app.BlobNamesAsync($"{young.Id:D}/"));
    }

    [Fact]
    public async Task Cleanup_DeletesWithoutWakingLongPolls_WhileAUsersDeleteStillDoes()
    {
        // Arrange: an expired generation, a young one, and a LISTEN session on the long-poll channel.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-31));
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(clock: clock, database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        var expired = (await app.Api.CreateAsync(token, new { prompt = "p" })).Generation;
        clock.Advance(TimeSpan.FromDays(31));
        var young = (await app.Api.CreateAsync(token, new { prompt = "p" })).Generation;
        await using var listener = new NpgsqlConnection(db.ConnectionString);
        await listener.OpenAsync();
        var announced = new ConcurrentQueue<string>();
        listener.Notification += (_, e) => announced.Enqueue(e.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN nanobanana_generation_changed", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        // Act: the cleanup, then the owner deletes the young one.
        var report = await app.Services.GetRequiredService<CleanupService>().RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        await app.Api.DeleteAsync(token, young.Id.ToString());
        // Notifications arrive in commit order: once the owner's delete is announced, any the cleanup made came before it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!announced.Contains(young.Id.ToString()))
        {
            await listener.WaitAsync(timeout.Token);
        }

        // Assert
        Assert.Equal(1, report.DeletedGenerations);
        Assert.Equal(StatusCodes.Status404NotFound, (await app.Api.GetAsync(token, expired.Id.ToString())).Status);
        Assert.DoesNotContain(expired.Id.ToString(), announced);
    }

    [Fact]
    public async Task Cleanup_Removes10000OldRowsInBatches_WhileStatusReadsKeepAnswering()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => settings["Maintenance:CleanupBatchSize"] = "500", database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        var polled = await app.Api.CreateGenerationAsync(token, "still polled during cleanup");
        await app.ExecuteSqlAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, created_at, updated_at, completed_at)
            SELECT gen_random_uuid(), 'old-user-' || (i % 100), 'completed', 'old prompt ' || i,
                   now() - interval '40 days', now() - interval '40 days', now() - interval '40 days'
            FROM generate_series(1, 10000) AS i
            """);
        var cleanup = app.Services.GetRequiredService<CleanupService>();

        // Act: poll the way a phone does while the cleanup runs.
        var run = Task.Run(() => cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None));
        var polls = new List<int>();
        while (!run.IsCompleted)
        {
            polls.Add((await app.Api.GetAsync(token, polled.Id.ToString())).Status);
        }

        var report = await run;

        // Assert
        Assert.Equal(10_000, report.DeletedGenerations);
        Assert.True(report.Batches >= 20, $"{report.Batches} batches");
        Assert.NotEmpty(polls);
        Assert.All(polls, status => Assert.Equal(StatusCodes.Status200OK, status));
        Assert.Equal(1, await app.ScalarAsync("SELECT count(*) FROM generations"));
    }

    [Fact]
    public async Task Cleanup_StopsAtItsDeadline_BetweenBatches_AndTheNextRunCarriesOn()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => settings["Maintenance:CleanupBatchSize"] = "10", database: db);
        await app.ExecuteSqlAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, created_at, updated_at, completed_at)
            SELECT gen_random_uuid(), 'old', 'completed', 'p', now() - interval '40 days', now(), now() FROM generate_series(1, 35)
            """);
        var cleanup = app.Services.GetRequiredService<CleanupService>();

        // Act: a deadline already past stops it after the first batch.
        var first = await cleanup.RunAsync(DateTimeOffset.MinValue, CancellationToken.None);
        var second = await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);

        // Assert
        Assert.Equal((10, false), (first.DeletedGenerations, first.Finished));
        Assert.Equal((25, true), (second.DeletedGenerations, second.Finished));
    }

    [Fact]
    public async Task Cleanup_PausesBetweenBatches_OnItsClock()
    {
        // Arrange: 25 expired rows in batches of 10, a 100 ms pause, time that moves only when told.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Maintenance:CleanupBatchSize"] = "10";
            settings["Maintenance:CleanupPauseMilliseconds"] = "100";
        }, clock: clock, database: db);
        await app.ExecuteSqlAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, created_at, updated_at, completed_at)
            SELECT gen_random_uuid(), 'old', 'completed', 'p', now() - interval '40 days', now(), now() FROM generate_series(1, 25)
            """);
        var cleanup = app.Services.GetRequiredService<CleanupService>();

        // Act: the first batch runs at once; the second only once the pause has passed.
        var run = Task.Run(() => cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None));
        await WaitForRowsAsync(app, 15);
        var finishedWithoutTime = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(500))) == run;
        var leftDuringPause = await app.ScalarAsync("SELECT count(*) FROM generations");
        // Each pause's timer is armed just after its batch commits, so a single Advance could come before it:
        // time moves a pause at a time, every 50 ms, until the rows are gone and the run has ended.
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!run.IsCompleted)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Delay(50, bound.Token);
            }
        }

        var report = await run;

        // Assert
        Assert.False(finishedWithoutTime);
        Assert.Equal(15, leftDuringPause);
        Assert.Equal((25, 3, true), (report.DeletedGenerations, report.Batches, report.Finished));
    }

    [Fact]
    public async Task Cleanup_PauseNeverOutlastsTheDeadline()
    {
        // Arrange: a pause far longer than the time left.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Maintenance:CleanupBatchSize"] = "10";
            settings["Maintenance:CleanupPauseMilliseconds"] = "10000";
        }, clock: clock, database: db);
        await app.ExecuteSqlAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, created_at, updated_at, completed_at)
            SELECT gen_random_uuid(), 'old', 'completed', 'p', now() - interval '40 days', now(), now() FROM generate_series(1, 35)
            """);
        var cleanup = app.Services.GetRequiredService<CleanupService>();

        // Act: 1 s left; the clock moves 1 s, the deadline's worth, not the pause's 10 s.
        var run = Task.Run(() => cleanup.RunAsync(clock.GetUtcNow().AddSeconds(1), CancellationToken.None));
        await WaitForRowsAsync(app, 25);
        clock.Advance(TimeSpan.FromSeconds(1));
        var report = await run.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: one more batch after the clipped pause, then the deadline stops it.
        Assert.Equal((20, false), (report.DeletedGenerations, report.Finished));
    }

    private static async Task WaitForRowsAsync(FunctionApp app, long rows)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await app.ScalarAsync("SELECT count(*) FROM generations") != rows)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }
}
