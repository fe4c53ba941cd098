using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Outbox;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>
/// The queue outbox (migration 020) on real Postgres and Azurite: what a create wrote and no instance sent
/// (it stopped, its queue was down, it died mid-send) goes out from the outbox, once; an entry whose
/// generation got its message some other way is not sent again. Each app here has a queue of its own,
/// and a dispatcher takes only its own queue's entries, so the shared database's other apps stay out.
/// </summary>
public sealed class CreateOutboxTests
{
    // The local Azurite account, with the queue endpoint on a port nothing listens on.
    private static readonly string StorageWithDeadQueue = TestSettings.LocalAzuriteWithQueueAt("http://127.0.0.1:1/devstoreaccount1");

    [Fact]
    public async Task MessagesAnAppCouldNotSend_AreSentByTheNextAppOnTheQueue_AtItsStart_OnceEach()
    {
        // Arrange: an app whose queue is unreachable accepts three creates, then stops.
        var token = TestTokens.For(TestTokens.NewUserId());
        string queueName;
        List<Guid> created = [];
        await using (var stopped = await StartWithDeadQueueAsync())
        {
            queueName = stopped.QueueName;
            for (var i = 0; i < 3; i++)
            {
                created.Add((await stopped.Api.CreateAsync(token, new { prompt = $"left behind {i}" })).Generation.Id);
            }

            await stopped.Logs.WaitForAsync(l => l.Level == LogLevel.Warning && l.Message.Contains("not sent", StringComparison.Ordinal));
            Assert.Equal(3, await stopped.OutboxCountAsync());
        }

        // Act: the app comes back on a queue that works.
        await using var restarted = await FunctionApp.StartAsync(settings => settings["Storage:QueueName"] = queueName);
        await restarted.OutboxEmptyAsync();

        // Assert: every message is in the queue, once.
        Assert.Equal(created.Order(), (await MessagesAsync(restarted)).Order());
    }

    [Fact]
    public async Task AMessageTakenByAnInstanceThatDiedMidSend_IsSentByTheSweep_OnlyOnceRetakeAfterHasPassed()
    {
        // Arrange: a create whose entry an instance took at the clock's now and never finished (it died mid-send).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var token = TestTokens.For(TestTokens.NewUserId());
        string queueName;
        Guid id;
        await using (var died = await StartWithDeadQueueAsync())
        {
            queueName = died.QueueName;
            id = (await died.Api.CreateAsync(token, new { prompt = "taken, never sent" })).Generation.Id;
        }

        await using (var database = Npgsql.NpgsqlDataSource.Create(await TestDatabase.SharedConnectionStringAsync()))
        await using (var took = database.CreateCommand("UPDATE queue_outbox SET taken_at = @now WHERE generation_id = @id"))
        {
            took.Parameters.AddWithValue("now", clock.GetUtcNow());
            took.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await took.ExecuteNonQueryAsync());
        }

        await using var app = await FunctionApp.StartAsync(settings => settings["Storage:QueueName"] = queueName, clock);
        var dispatcher = app.Services.GetRequiredService<QueueOutboxDispatcher>();
        var settings = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboxOptions>>().Value;

        // Act + Assert: a second before the retake is due, a pass (the app's first, and this one) leaves it to its taker.
        clock.Advance(settings.RetakeAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await dispatcher.DispatchAsync(CancellationToken.None)).Sent);
        Assert.Equal(1, await app.OutboxCountAsync());
        Assert.Empty(await MessagesAsync(app));

        // Act: time goes on a second at a time; the loop's sweep (on the app's clock) takes it again and sends it.
        var waited = TimeSpan.Zero;
        while (await app.OutboxCountAsync() > 0 && waited < settings.RetakeAfter)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            waited += TimeSpan.FromSeconds(1);
            await Task.Delay(100);
        }

        // Assert: sent by a sweep within seconds of its retake being due, once.
        await app.OutboxEmptyAsync();
        Assert.True(waited <= 3 * settings.Sweep, $"sent {waited.TotalSeconds} s of the app's clock after the retake was nearly due");
        Assert.Equal(new[] { id }, await MessagesAsync(app));
    }

    [Fact]
    public async Task AnEntryWhoseGenerationHadAMessageSince_OrEnded_IsDroppedUnsent()
    {
        // Arrange: two generations whose create messages went out; then an entry for each as if still
        // waiting, one as of a queue place the repair has since moved on from, one for a generation cancelled since.
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        var resent = await app.Api.CreateGenerationAsync(token, "the repair sent it again");
        var cancelled = await app.Api.CreateGenerationAsync(token, "cancelled before its message");
        Assert.Equal(200, (await app.Api.CancelAsync(token, cancelled.Id.ToString())).Status);
        await app.RawQueue.ClearMessagesAsync();

        // Act
        await app.ExecuteSqlAsync("""
            INSERT INTO queue_outbox (generation_id, owner_id, queue_name, queued_at)
            SELECT id, owner_id, @queue, enqueued_at - interval '1 second' FROM generations WHERE id = @resent
            UNION ALL
            SELECT id, owner_id, @queue, enqueued_at FROM generations WHERE id = @cancelled
            """, ("queue", app.QueueName), ("resent", resent.Id), ("cancelled", cancelled.Id));
        await app.OutboxEmptyAsync();

        // Assert: both gone from the outbox, nothing sent.
        Assert.Empty(await MessagesAsync(app));
        Assert.Contains(app.Logs.Lines, l => l.Message.Contains("dropped unsent", StringComparison.Ordinal));
    }

    private static async Task<FunctionApp> StartWithDeadQueueAsync()
    {
        var app = await FunctionApp.StartAsync(settings =>
        {
            settings["AzureWebJobsStorage"] = StorageWithDeadQueue;
            settings["Storage:MaxRetries"] = "0";
        });
        app.Api.AwaitsQueueMessages = false;
        return app;
    }

    // Received (and so hidden for 30 s), decoded as the trigger decodes them.
    private static async Task<List<Guid>> MessagesAsync(FunctionApp app) =>
        [.. (await app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value
            .Select(m => Guid.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))))];
}
