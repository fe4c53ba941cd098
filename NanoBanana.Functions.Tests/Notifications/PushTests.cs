using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Notifications;

/// <summary>
/// Web Push to the owner's browsers when a generation ends, against a push service that checks the
/// VAPID JWT and decrypts each message with the browser's keys, so the real signing and encryption run.
/// </summary>
public sealed class PushTests : PushAppTests
{
    [Fact]
    public async Task AFinishedGeneration_SendsEachSubscriptionOneEncryptedVapidSignedMessage_WithoutThePrompt()
    {
        // Arrange: one user, two browsers; another user's browser must hear nothing.
        var (token, phone, laptop) = (TestTokens.For(TestTokens.NewUserId()), Push.NewBrowser(), Push.NewBrowser());
        var stranger = Push.NewBrowser();
        Assert.Equal(StatusCodes.Status201Created, (await App.Api.SubscribeAsync(token, phone.ToJson())).Status);
        Assert.Equal(StatusCodes.Status201Created, (await App.Api.SubscribeAsync(token, laptop.ToJson())).Status);
        Assert.Equal(StatusCodes.Status200OK, (await App.Api.SubscribeAsync(token, laptop.ToJson())).Status); // again: the same one
        Assert.Equal(StatusCodes.Status201Created, (await App.Api.SubscribeAsync(TestTokens.For(TestTokens.NewUserId()), stranger.ToJson())).Status);
        var generation = await App.Api.CreateGenerationAsync(token, "a secret banana prompt");

        // Act
        await App.DeliverAsync(generation.Id);
        await App.NotifyAsync();

        // Assert
        Assert.True(Push.Refused.Count == 0, string.Join("\n", Push.Refused));
        var received = Push.Received;
        Assert.Equal(new[] { phone.Endpoint, laptop.Endpoint }.Order(StringComparer.Ordinal), received.Select(r => r.Browser.Endpoint).Order(StringComparer.Ordinal));
        Assert.All(received, push =>
        {
            Assert.Equal(generation.Id.ToString(), push.Payload.GetProperty("id").GetString());
            Assert.Equal("completed", push.Payload.GetProperty("status").GetString());
            Assert.DoesNotContain("banana", push.Payload.GetRawText());
            Assert.False(push.Payload.TryGetProperty("web_push", out _)); // no page to open: not declarative
            Assert.Equal(Push.Origin, push.Vapid["aud"]);
            Assert.Equal(TestVapidKeys.Subject, push.Vapid["sub"]);
            Assert.Equal(generation.Id.ToString("N"), push.Topic);
        });
    }

    [Theory]
    [InlineData("completed", "Your image is ready 🍌")]
    [InlineData("cancelled", "Your image was cancelled")]
    public async Task WithANotificationUrl_ThePushIsADeclarativeWebPushMessage_ThatNavigatesToTheGeneration(string status, string title)
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db, configure: settings =>
        {
            TestVapidKeys.Enable(settings, Vapid.Public, Vapid.Private, new Uri(Push.Origin).Host);
            settings["Push:NotificationUrl"] = "https://app.example/demo/";
        });
        var (token, phone) = (TestTokens.For(TestTokens.NewUserId()), Push.NewBrowser());
        Assert.Equal(StatusCodes.Status201Created, (await app.Api.SubscribeAsync(token, phone.ToJson())).Status);
        var generation = await app.Api.CreateGenerationAsync(token, "a secret banana prompt");

        // Act
        if (status == "cancelled")
        {
            Assert.Equal(StatusCodes.Status200OK, (await app.Api.CancelAsync(token, generation.Id.ToString())).Status);
        }
        else
        {
            await app.DeliverAsync(generation.Id);
        }

        await app.NotifyAsync();

        // Assert: Safari's shape, and the id and status the service worker reads at the top.
        var push = Assert.Single(Push.Received, r => r.Browser == phone).Payload;
        Assert.Equal(8030, push.GetProperty("web_push").GetInt32());
        var notification = push.GetProperty("notification");
        Assert.Equal(title, notification.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(notification.GetProperty("body").GetString()));
        Assert.Equal($"https://app.example/demo/?generation={generation.Id}", notification.GetProperty("navigate").GetString());
        Assert.Equal(generation.Id.ToString(), notification.GetProperty("tag").GetString());
        Assert.Equal(generation.Id.ToString(), push.GetProperty("id").GetString());
        Assert.Equal(status, push.GetProperty("status").GetString());
        Assert.DoesNotContain("banana", push.GetRawText());
    }

    [Fact]
    public async Task ASubscriptionThePushServiceSaysIsGone_IsDeleted_AndTheOthersKept()
    {
        // Arrange
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var (gone, kept) = (Push.NewBrowser(), Push.NewBrowser());
        await App.Api.SubscribeAsync(token, gone.ToJson());
        await App.Api.SubscribeAsync(token, kept.ToJson());
        Push.AnswerWith(gone, StatusCodes.Status410Gone);
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverAsync(generation.Id);
        await App.NotifyAsync();

        // Assert
        Assert.Equal(1, await App.ScalarAsync("SELECT count(*) FROM push_subscriptions WHERE owner_id = @o", ("o", owner)));
        Assert.Equal(1, await App.ScalarAsync("SELECT count(*) FROM push_subscriptions WHERE owner_id = @o AND endpoint = @e", ("o", owner), ("e", kept.Endpoint)));
        Assert.Single(Push.Received, r => r.Browser == kept);
    }

    [Fact]
    public async Task A429Or5xx_IsRetriedWithBackoff_UntilTheMessageIsAccepted()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var browser = Push.NewBrowser();
        await App.Api.SubscribeAsync(token, browser.ToJson());
        Push.AnswerWith(browser, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverAsync(generation.Id);
        await App.NotifyAsync();

        // Assert
        Assert.True(3 == Push.RequestsFor(browser), string.Join("\n", App.Logs.Lines.Where(l => l.Exception is not null).Select(l => l.Message + " " + l.Exception)) + string.Join("\n", Push.Refused));
        Assert.Single(Push.Received, r => r.Browser == browser);
    }

    [Fact]
    public async Task ADeadPushService_ChangesNeitherTheGenerationsOutcomeNorItsTiming()
    {
        // Arrange: a subscription whose push service is not there at all.
        var token = TestTokens.For(TestTokens.NewUserId());
        var dead = FakeBrowser.Create($"http://127.0.0.1:{UnusedPort()}/push/{Guid.NewGuid():N}");
        Assert.Equal(StatusCodes.Status201Created, (await App.Api.SubscribeAsync(token, dead.ToJson())).Status);
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act: the worker ends the generation (its transaction writes the outbox row, nothing more),
        // then the notification runs on its own and fails.
        var delivery = await App.DeliverAsync(generation.Id);
        var ended = await App.Api.GetAsync(token, generation.Id.ToString());
        await App.NotifyAsync();
        var after = await App.Api.GetAsync(token, generation.Id.ToString());

        // Assert
        Assert.Null(delivery);
        Assert.Equal("completed", ended.Generation.Status);
        Assert.Equal(ended.Headers.ETag.ToString(), after.Headers.ETag.ToString());
        Assert.Equal(ended.Generation.CompletedAt, after.Generation.CompletedAt);
        Assert.Contains(App.Logs.Lines, l => l.Message.Contains("failed after retries", StringComparison.Ordinal));
        // Left for a bounded number of re-dispatches (PushBoundsTests), sent once so far.
        Assert.Equal(1, await App.ScalarAsync("SELECT count(*) FROM generation_events WHERE generation_id = @id AND done_at IS NULL AND dispatches = 1", ("id", generation.Id)));
    }

    [Fact]
    public async Task Subscribe_WithKeysThatAreNotABrowsers_Is400_AndUnsubscribe_RemovesIt()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var browser = Push.NewBrowser();

        // Act
        var invalid = await App.Api.SubscribeAsync(token, new { endpoint = browser.Endpoint, keys = new { p256dh = "AAAA", auth = "short" } });
        await App.Api.SubscribeAsync(token, browser.ToJson());
        var deleted = await App.Api.UnsubscribeAsync(token, browser.Endpoint);
        var again = await App.Api.UnsubscribeAsync(token, browser.Endpoint);

        // Assert
        Assert.Equal("invalid_push_subscription", invalid.ProblemCode);
        Assert.Equal(2, invalid.Json.GetProperty("errors").GetArrayLength());
        Assert.Equal(StatusCodes.Status204NoContent, deleted.Status);
        Assert.Equal("push_subscription_not_found", again.ProblemCode);
    }

    [Fact]
    public async Task VapidPublicKey_IsTheConfiguredOne()
    {
        var response = await App.Api.VapidPublicKeyAsync(TestTokens.For(TestTokens.NewUserId()));

        Assert.Equal(Vapid.Public, response.Json.GetProperty("publicKey").GetString());
    }

    [Fact]
    public async Task WithoutVapidKeys_PushIsOff_AndSaysSo()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var key = await app.Api.VapidPublicKeyAsync(token);
        var subscribe = await app.Api.SubscribeAsync(token, Push.NewBrowser().ToJson());

        // Assert
        Assert.Equal(StatusCodes.Status501NotImplemented, key.Status);
        Assert.Equal("push_not_configured", key.ProblemCode);
        Assert.Equal("push_not_configured", subscribe.ProblemCode);
    }

    [Fact]
    public async Task APushEndpointOnTheAppsOwnNetwork_IsRefused()
    {
        // Arrange: loopback is allowed only by the development setting.
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db, configure: settings =>
        {
            TestVapidKeys.Enable(settings, Vapid.Public, Vapid.Private, new Uri(Push.Origin).Host);
            settings["Outbound:AllowLoopback"] = "false";
        });

        // Act
        var response = await app.Api.SubscribeAsync(TestTokens.For(TestTokens.NewUserId()), Push.NewBrowser().ToJson());

        // Assert
        Assert.Equal("push_endpoint_not_allowed", response.ProblemCode);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
