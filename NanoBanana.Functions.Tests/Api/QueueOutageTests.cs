using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>A create never waits on the queue: the row and its message's outbox entry commit together, and the answer goes out then.</summary>
public sealed class QueueOutageTests
{
    [Fact]
    public async Task Create_IsAnsweredWhileItsQueueSendIsHeld_AndASendThatFails_StaysInTheOutbox()
    {
        // Arrange: a queue endpoint that holds every message send until released, then refuses it.
        var sendArrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (queueServer, queueUrl) = await LoopbackServer.StartAsync(server => server.Run(async context =>
        {
            if (context.Request.Method == "POST" && context.Request.Path.Value!.EndsWith("/messages", StringComparison.Ordinal))
            {
                using var reader = new StreamReader(context.Request.Body);
                sendArrived.TrySetResult(await reader.ReadToEndAsync());
                await release.Task;
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            context.Response.StatusCode = StatusCodes.Status201Created; // the queues' creation at start-up
        }));
        await using var _ = queueServer;
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["AzureWebJobsStorage"] = TestSettings.LocalAzuriteWithQueueAt(queueUrl.TrimEnd('/') + "/devstoreaccount1");
            settings["Storage:MaxRetries"] = "0";
        });
        app.Api.AwaitsQueueMessages = false;
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var response = await app.Api.CreateAsync(token, new { prompt = "queued later" });
        var sent = await sendArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var takenWhileHeld = await app.ScalarAsync(
            "SELECT count(*) FROM queue_outbox WHERE generation_id = @id AND taken_at IS NOT NULL", ("id", response.Generation.Id));
        release.SetResult();
        await app.Logs.WaitForAsync(l => l.Level == LogLevel.Warning && l.Message.Contains("not sent", StringComparison.Ordinal));

        // Assert: answered pending while the send was still held; the message was the generation's id; the
        // refused send left the entry in the outbox, handed back for the next pass, and the row untouched.
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.Equal("pending", response.Generation.Status);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(response.Generation.Id.ToString("D"))), sent, StringComparison.Ordinal);
        Assert.Equal(1, takenWhileHeld);
        await WaitUntilAsync(async () => await app.ScalarAsync(
            "SELECT count(*) FROM queue_outbox WHERE generation_id = @id AND taken_at IS NULL", ("id", response.Generation.Id)) == 1);
        Assert.Equal(1, await app.ScalarAsync(
            "SELECT count(*) FROM generations WHERE id = @id AND status = 'pending' AND enqueued_at = created_at", ("id", response.Generation.Id)));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), "the condition did not hold within 15 s");
            await Task.Delay(20);
        }
    }
}
