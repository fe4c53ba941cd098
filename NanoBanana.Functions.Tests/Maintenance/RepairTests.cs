using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Maintenance;

public sealed class RepairTests
{
    [Fact]
    public async Task AnExpiredLease_IsRequeued_AndASecondExpiryPastTheLimit_EndsStuck()
    {
        // Arrange: MaxAttempts 2; a worker claims the generation and dies (no heartbeat, nothing written after the claim).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Processing:MaxAttempts"] = "2";
            settings["Processing:LeaseSeconds"] = "300";
        }, clock, database: db);
        var limits = new RunLimits(MaxAttempts: 2, MaxCalls: 3);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.RawQueue.ClearMessagesAsync();
        var store = app.Services.GetRequiredService<MaintenanceRoleStore>();
        var repair = app.Services.GetRequiredService<RepairService>();
        Assert.NotNull((await store.TakeAsync(generation.Id, clock.GetUtcNow(), TimeSpan.FromMinutes(5), limits, CancellationToken.None)).Row);

        // Act 1: before the lease ends nothing happens; after it, the generation goes back to the queue.
        var early = await repair.RunAsync(sweepOrphanBlobs: false, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var first = await repair.RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert 1
        Assert.Equal(0, early.Requeued);
        Assert.Equal((1, 0, 1), (first.Requeued, first.Stuck, first.Resent));
        Assert.Equal(("pending", 1, (string?)null), await app.RowAsync(generation.Id));
        Assert.Equal([generation.Id], await DrainQueueAsync(app));

        // Act 2: the second claim dies too.
        Assert.NotNull((await store.TakeAsync(generation.Id, clock.GetUtcNow(), TimeSpan.FromMinutes(5), limits, CancellationToken.None)).Row);
        clock.Advance(TimeSpan.FromMinutes(6));
        var second = await repair.RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert 2
        Assert.Equal((0, 1, 0), (second.Requeued, second.Stuck, second.Resent));
        Assert.Equal(("failed", 2, "STUCK"), await app.RowAsync(generation.Id));
        Assert.Empty(await DrainQueueAsync(app));
    }

    [Fact]
    public async Task ALostMessage_IsResentExactlyOncePerThreshold()
    {
        // Arrange: the generation's message vanished from the queue.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => settings["Maintenance:ResendPendingAfterSeconds"] = "600", clock, database: db);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.RawQueue.ClearMessagesAsync();
        var repair = app.Services.GetRequiredService<RepairService>();

        // Act
        var fresh = await repair.RunAsync(false, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(11));
        var due = await repair.RunAsync(false, CancellationToken.None);
        var again = await repair.RunAsync(false, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(11));
        var dueAgain = await repair.RunAsync(false, CancellationToken.None);

        // Assert
        Assert.Equal([0, 1, 0, 1], new[] { fresh.Resent, due.Resent, again.Resent, dueAgain.Resent });
        Assert.Equal([generation.Id, generation.Id], await DrainQueueAsync(app));
    }

    [Fact]
    public async Task AGenerationWhoseSendFailed_IsSentAtTheNextRepair_WithoutWaiting()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.RawQueue.ClearMessagesAsync();
        await app.ExecuteSqlAsync("UPDATE generations SET enqueued_at = NULL WHERE id = @id", ("id", generation.Id));

        // Act
        var report = await app.Services.GetRequiredService<RepairService>().RunAsync(false, CancellationToken.None);

        // Assert
        Assert.Equal(1, report.Resent);
        Assert.Equal([generation.Id], await DrainQueueAsync(app));
    }

    [Fact]
    public async Task TwoRepairsRunningAtOnce_SendEachLostMessageOnce()
    {
        // Arrange: two instances of the app on one database and one queue; 300 generations lost their message.
        await using var db = await TestDatabase.CreateAsync();
        await using var first = await FunctionApp.StartAsync(settings => settings["Maintenance:RepairBatchSize"] = "50", database: db);
        await using var second = await FunctionApp.StartAsync(settings =>
        {
            settings["Storage:QueueName"] = first.QueueName;
            settings["Maintenance:RepairBatchSize"] = "50";
        }, database: db);
        await first.ExecuteSqlAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, created_at, updated_at, enqueued_at)
            SELECT gen_random_uuid(), 'user-' || i, 'pending', 'prompt', now(), now(), NULL
            FROM generate_series(1, 300) AS i
            """);

        // Act
        var reports = await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<RepairService>().RunAsync(false, CancellationToken.None)),
            Task.Run(() => second.Services.GetRequiredService<RepairService>().RunAsync(false, CancellationToken.None)));

        // Assert
        Assert.Equal(300, reports.Sum(r => r.Resent));
        var sent = await DrainQueueAsync(first);
        Assert.Equal(300, sent.Count);
        Assert.Equal(300, sent.Distinct().Count());
    }

    [Fact]
    public async Task TheFullSweep_RemovesBlobsNoRowRefersTo_OnceTheyAreOlderThanTheGrace()
    {
        // Arrange
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => settings["Maintenance:OrphanBlobGraceMinutes"] = "60", clock, database: db);
        var created = await app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()),
            new { prompt = "p", images = new[] { TestImages.Part("image/png", TestImages.Png) } });
        var id = created.Generation.Id;
        var rowless = $"{Guid.NewGuid():D}/input-0";
        var staleOutput = $"{id:D}/output-7-0";
        await app.Images.UploadBlobAsync(rowless, BinaryData.FromBytes(TestImages.Png));
        await app.Images.UploadBlobAsync(staleOutput, BinaryData.FromBytes(TestImages.Png));
        await app.Images.UploadBlobAsync("not-a-generation.txt", BinaryData.FromString("?"));
        var repair = app.Services.GetRequiredService<RepairService>();

        // Act
        var withinGrace = await repair.RunAsync(sweepOrphanBlobs: true, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(61));
        var afterGrace = await repair.RunAsync(sweepOrphanBlobs: true, CancellationToken.None);

        // Assert
        Assert.Equal(0, withinGrace.OrphanBlobsDeleted);
        Assert.Equal(3, afterGrace.OrphanBlobsDeleted);
        Assert.Equal([$"{id:D}/input-0"], await app.BlobNamesAsync());
    }

    [Fact]
    public async Task AnExpiredLeaseWhoseCallsAreSpent_FailsWithTheRunsLastFailure_InsteadOfRunningAgain()
    {
        // Arrange: a worker died in the run's last paid call; an earlier attempt had been rate limited.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => settings["Gemini:MaxCallsPerRun"] = "2", clock, database: db);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await app.RawQueue.ClearMessagesAsync();
        await app.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 2, run_attempt = 2, run_gemini_calls = 2, started_at = created_at,
                                   lease_expires_at = @expired, last_error_code = 'RATE_LIMITED', last_error_message = 'Gemini is busy.'
            WHERE id = @id
            """, ("id", generation.Id), ("expired", clock.GetUtcNow().AddSeconds(-1)));

        // Act
        var report = await app.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert
        Assert.Equal((0, 1, 0), (report.Requeued, report.Stuck, report.Resent));
        Assert.Equal(("failed", 2, "RATE_LIMITED"), await app.RowAsync(generation.Id));
        Assert.Empty(await DrainQueueAsync(app));
    }

    [Fact]
    public async Task TheOrphanSweep_CarriesOnWhereItStopped_WhenARunRunsOutOfTime()
    {
        // Arrange: 5 blobs no row refers to, listed 2 per page; every run has no time beyond its first page.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => settings["Maintenance:RepairBatchSize"] = "2", clock, database: db);
        var orphans = Enumerable.Range(0, 5).Select(_ => $"{Guid.NewGuid():D}/input-0").ToList();
        await app.Images.CreateIfNotExistsAsync();
        foreach (var name in orphans)
        {
            await app.Images.UploadBlobAsync(name, BinaryData.FromBytes(TestImages.Png));
        }

        var repair = app.Services.GetRequiredService<RepairService>();
        Task<RepairReport> RunOutOfTimeAsync() => repair.RunAsync(sweepOrphanBlobs: true, CancellationToken.None, deadline: clock.GetUtcNow());

        // Act: the first run stops after a page; a blob added behind that point waits for the next pass.
        var first = await RunOutOfTimeAsync();
        await app.Images.UploadBlobAsync("!behind-the-sweep", BinaryData.FromBytes(TestImages.Png));
        var second = await RunOutOfTimeAsync();
        var third = await RunOutOfTimeAsync();
        var leftByThePass = await app.BlobNamesAsync();
        var nextPass = await RunOutOfTimeAsync();

        // Assert
        Assert.Equal((2, false), (first.OrphanBlobsDeleted, first.Finished));
        Assert.Equal((2, false), (second.OrphanBlobsDeleted, second.Finished));
        Assert.Equal((1, true), (third.OrphanBlobsDeleted, third.Finished));
        Assert.Equal(["!behind-the-sweep"], leftByThePass);
        Assert.Equal(1, nextPass.OrphanBlobsDeleted);
        Assert.Empty(await app.BlobNamesAsync());
    }

    private static async Task<List<Guid>> DrainQueueAsync(FunctionApp app)
    {
        var ids = new List<Guid>();
        while (true)
        {
            var messages = (await app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value;
            if (messages.Length == 0)
            {
                return ids;
            }

            foreach (var message in messages)
            {
                ids.Add(Guid.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText))));
                await app.RawQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}
