using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Notifications;
using NanoBanana.Functions.Outbound;
using NanoBanana.Functions.Tests.Infrastructure;
using StandardWebhooks;

namespace NanoBanana.Functions.Tests.Notifications;

/// <summary>Signed webhooks, Replicate-style, against a real local receiver.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestDatabase _db = null!;
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync("/hooks/nanobanana");
        _db = await TestDatabase.CreateAsync();
        _app = await FunctionApp.StartAsync(database: _db, configure: settings =>
        {
            settings["Webhooks:SigningKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 7)).ToArray());
            settings["Webhooks:MaxAttempts"] = "4";
            settings["Outbound:AllowLoopback"] = "true";
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ADelivery_IsSignedPerStandardWebhooks_AndVerifiesWithTheirVerifier()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var secret = (await _app.Api.WebhookSecretAsync(token)).Json.GetProperty("secret").GetString()!;
        var created = await _app.Api.CreateAsync(token, new { prompt = "a banana with a webhook", webhookUrl = _receiver.Url });
        var id = created.Generation.Id;

        // Act
        await _app.DeliverAsync(id);
        await _app.NotifyAsync();

        // Assert
        var (headers, body) = Assert.Single(_receiver.Received);
        new StandardWebhook(secret["whsec_".Length..]).Verify(body, headers); // throws when the signature is wrong
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            new StandardWebhook(Convert.ToBase64String(new byte[32])).Verify(body, headers));
        var payload = JsonDocument.Parse(body).RootElement;
        Assert.Equal("generation.completed", payload.GetProperty("type").GetString());
        Assert.Equal(id.ToString(), payload.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("completed", payload.GetProperty("data").GetProperty("status").GetString());
        var log = (await _app.Api.WebhookDeliveriesAsync(token, id.ToString())).Json.GetProperty("items");
        var entry = Assert.Single(log.EnumerateArray());
        Assert.True(entry.GetProperty("succeeded").GetBoolean());
        Assert.Equal(204, entry.GetProperty("responseStatus").GetInt32());
        Assert.Equal(headers["webhook-id"].ToString(), entry.GetProperty("webhookId").GetString());
    }

    [Fact]
    public async Task AFailingReceiver_IsRetriedOnTheSchedule_UpToTheLastAttempt_AndEveryAttemptIsLogged()
    {
        // Arrange: the receiver fails every time.
        var token = TestTokens.For(TestTokens.NewUserId());
        for (var i = 0; i < 4; i++)
        {
            _receiver.Answers.Enqueue(StatusCodes.Status500InternalServerError);
        }

        var id = (await _app.Api.CreateAsync(token, new { prompt = "a banana nobody takes", webhookUrl = _receiver.Url })).Generation.Id;
        await _app.DeliverAsync(id);

        // Act: the first attempt; then each retry as its delayed message would arrive.
        await _app.NotifyAsync();
        var waiting = (await _app.NotificationQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var visible = (await _app.NotificationQueue.PeekMessagesAsync()).Value.Length;
        var eventId = await _app.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @id", ("id", id));
        for (var attempt = 2; attempt <= 5; attempt++)
        {
            await _app.Function<NotificationFunctions>().Notify(JsonSerializer.Serialize(new NotificationMessage(eventId, attempt), NanoBanana.Functions.Http.ApiJson.Options), CancellationToken.None);
        }

        // Assert: 5 s, 20 s, 80 s apart (FirstRetrySeconds x 4^n), then given up after MaxAttempts (the 5th message did nothing).
        Assert.Equal((1, 0), (waiting, visible)); // the retry waits, invisible, in the queue
        var log = (await _app.Api.WebhookDeliveriesAsync(token, id.ToString())).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4], log.Select(e => e.GetProperty("attempt").GetInt32()));
        Assert.All(log, e => Assert.False(e.GetProperty("succeeded").GetBoolean()));
        Assert.Equal([5d, 20d, 80d, null], log.Select(e => e.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.Null
            ? (double?)null
            : (e.GetProperty("nextAttemptAt").GetDateTimeOffset() - e.GetProperty("attemptedAt").GetDateTimeOffset()).TotalSeconds));
        Assert.Equal(4, _receiver.Received.Count);
        Assert.Single(_receiver.Received.Select(r => r.Headers["webhook-id"].ToString()).Distinct()); // one id for every attempt: receivers dedupe on it
    }

    [Fact]
    public async Task OnlyTheEventsAskedFor_AreDelivered()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await _app.Api.CreateAsync(token, new { prompt = "a banana for failures only", webhookUrl = _receiver.Url, webhookEvents = new[] { "failed" } })).Generation.Id;

        // Act
        await _app.DeliverAsync(id);
        await _app.NotifyAsync();

        // Assert
        Assert.Empty(_receiver.Received);
        Assert.Equal(0, (await _app.Api.WebhookDeliveriesAsync(token, id.ToString())).Json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ASlowReceiver_IsGivenUpOnAfterTheTimeout_AndTheGenerationIsUntouched()
    {
        // Arrange
        var (slow, slowUrl) = await LoopbackServer.StartAsync(web => web.MapPost("/", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            return Results.NoContent();
        }));
        await using var _ = slow;
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db, configure: settings =>
        {
            settings["Webhooks:SigningKey"] = Convert.ToBase64String(new byte[32]);
            settings["Webhooks:TimeoutSeconds"] = "1";
            settings["Outbound:AllowLoopback"] = "true";
        });
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateAsync(token, new { prompt = "a banana for a slow server", webhookUrl = slowUrl })).Generation.Id;
        await app.DeliverAsync(id);
        var ended = await app.Api.GetAsync(token, id.ToString());

        // Act
        await app.NotifyAsync();

        // Assert
        var entry = Assert.Single((await app.Api.WebhookDeliveriesAsync(token, id.ToString())).Json.GetProperty("items").EnumerateArray());
        Assert.Equal("no answer within 1 s", entry.GetProperty("error").GetString());
        Assert.Equal(ended.Headers.ETag.ToString(), (await app.Api.GetAsync(token, id.ToString())).Headers.ETag.ToString());
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://10.0.0.7/hook")]
    [InlineData("https://192.168.1.1/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://93.184.215.14/hook")]
    [InlineData("ftp://93.184.215.14/hook")]
    [InlineData("https://user:secret@93.184.215.14/hook")]
    public async Task AWebhookUrlTheAppMustNotCall_IsRefusedAtCreate_AndNothingIsStored(string url)
    {
        // Arrange: loopback is not allowed here (only the development setting allows it).
        await using var app = await FunctionApp.StartAsync(settings => settings["Webhooks:SigningKey"] = Convert.ToBase64String(new byte[32]));
        var owner = TestTokens.NewUserId();

        // Act
        var response = await app.Api.CreateAsync(TestTokens.For(owner), new { prompt = "a banana for the metadata server", webhookUrl = url });

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("webhook_url_not_allowed", response.ProblemCode);
        Assert.Equal(0, await app.CountRowsAsync(owner));
    }

    [Fact]
    public async Task AWebhookUrlOnAPublicAddress_IsAccepted()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Webhooks:SigningKey"] = Convert.ToBase64String(new byte[32]));

        // Act: an address literal (no DNS here); nothing is sent at create.
        var response = await app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "a banana", webhookUrl = "https://93.184.215.14/hook" });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
    }

    [Fact]
    public async Task AtSendTime_AConnectionToAnAddressNoLongerAllowed_IsRefused()
    {
        // Arrange: the handler the webhook and push clients use, with loopback not allowed.
        var targets = new OutboundTargets(Microsoft.Extensions.Options.Options.Create(new OutboundOptions { AllowLoopback = false }));
        using var client = new HttpClient(targets.CreateHandler());

        // Act
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(_receiver.Url, new StringContent("{}")));

        // Assert
        Assert.Contains("no address this app may connect to", refused.Message);
        Assert.Empty(_receiver.Received);
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("168.63.129.16", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("::ffff:0:a00:1", false)]
    [InlineData("::10.0.0.1", false)]
    [InlineData("::8.8.8.8", false)]
    [InlineData("2002:a00:1::1", false)]
    [InlineData("2002:808:808::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", false)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("224.0.0.1", false)]
    public void IsPublic_FollowsTheSpecialPurposeRegistries(string address, bool isPublic) =>
        Assert.Equal(isPublic, OutboundAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void TheGuardedHandler_UsesNoProxy_WhichWouldConnectPastTheAddressCheck()
    {
        // Arrange
        var targets = new OutboundTargets(Microsoft.Extensions.Options.Options.Create(new OutboundOptions()));

        // Act
        using var handler = targets.CreateHandler();

        // Assert
        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
    }
}
