using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// Azurite stopped (scripts/services.sh stop-azurite, the rig's fault) while phones create: the creates are
/// answered from Postgres alone, their messages wait in the queue outbox, and once Azurite is back each
/// goes out exactly once. Restarts the shared Azurite, so it runs with the reliability tests, alone.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OutboxOutageTests
{
    [Fact]
    public async Task AzuriteStopped_CreatesAreStillAccepted_AndEveryMessageGoesOutOnce_WhenItIsBack()
    {
        // Arrange: the outbox swept every second; storage calls fail fast.
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Outbox:SweepSeconds"] = "1";
            settings["Outbox:RetakeAfterSeconds"] = "6";
            settings["Storage:MaxRetries"] = "0";
            settings["Storage:NetworkTimeoutSeconds"] = "2";
        });
        app.Api.AwaitsQueueMessages = false;
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = new List<Guid>();
        List<TestResponse> responses = [];

        try
        {
            // Act: ten creates while the queue service is down, then it comes back.
            await Services.RunAsync("stop-azurite");
            for (var i = 0; i < 10; i++)
            {
                responses.Add(await app.Api.CreateAsync(token, new { prompt = $"during the outage {i}" }));
                await Task.Delay(100);
            }

            Assert.Equal(10, await app.OutboxCountAsync());
        }
        finally
        {
            await Services.RunAsync("start-azurite");
        }

        await app.OutboxEmptyAsync(TimeSpan.FromSeconds(60));

        // Assert: every create accepted; every message in the queue once, and nothing else.
        Assert.All(responses, r => Assert.Equal(StatusCodes.Status202Accepted, r.Status));
        created.AddRange(responses.Select(r => r.Generation.Id));
        var queued = new List<Guid>();
        for (var batch = await app.RawQueue.ReceiveMessagesAsync(maxMessages: 32); batch.Value.Length > 0; batch = await app.RawQueue.ReceiveMessagesAsync(maxMessages: 32))
        {
            queued.AddRange(batch.Value.Select(m => Guid.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText)))));
        }

        Assert.Equal(created.Order(), queued.Order());
    }
}
