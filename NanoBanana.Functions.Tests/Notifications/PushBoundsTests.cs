using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Notifications;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Notifications;

/// <summary>
/// Web Push cannot be turned against the app or its users (issue 20, item 2): a bounded number of subscriptions
/// per user, on known push services only, sent in parallel under one budget, never resent, never worked on forever.
/// </summary>
public sealed class PushBoundsTests : PushAppTests
{
    [Fact]
    public async Task TheEleventhSubscription_Is409_AndRenewingAnExistingOne_StillWorks()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var browsers = Enumerable.Range(0, 10).Select(_ => Push.NewBrowser()).ToList();
        foreach (var browser in browsers)
        {
            Assert.Equal(StatusCodes.Status201Created, (await App.Api.SubscribeAsync(token, browser.ToJson())).Status);
        }

        // Act
        var eleventh = await App.Api.SubscribeAsync(token, Push.NewBrowser().ToJson());
        var renewed = await App.Api.SubscribeAsync(token, browsers[0].ToJson());

        // Assert
        Assert.Equal(StatusCodes.Status409Conflict, eleventh.Status);
        Assert.Equal("too_many_push_subscriptions", eleventh.ProblemCode);
        Assert.Equal(StatusCodes.Status200OK, renewed.Status);
    }

    [Fact]
    public async Task ConcurrentSubscriptions_CannotPassTheCapTogether()
    {
        // Arrange
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);

        // Act
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => App.Api.SubscribeAsync(token, Push.NewBrowser().ToJson())));

        // Assert
        Assert.Equal(10, answers.Count(a => a.Status == StatusCodes.Status201Created));
        Assert.Equal(10, await App.ScalarAsync("SELECT count(*) FROM push_subscriptions WHERE owner_id = @o", ("o", owner)));
    }

    [Theory]
    [InlineData("https://push.example.com/send/abc")]
    [InlineData("https://push.apple.com.example.com/3/device/abc")]
    [InlineData("https://fcm.googleapis.com.example.com/fcm/send/abc")]
    public async Task AnEndpointThatIsNoKnownPushService_IsRefused(string endpoint)
    {
        // Arrange
        var browser = FakeBrowser.Create(endpoint);

        // Act
        var response = await App.Api.SubscribeAsync(TestTokens.For(TestTokens.NewUserId()), browser.ToJson());

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("push_endpoint_not_allowed", response.ProblemCode);
    }

    [Fact]
    public async Task PushesGoOutInParallelUnderOneBudget_AndARedispatchSendsOnlyToTheSubscriptionsNotReached()
    {
        // Arrange: five push services that never answer, subscribed first, then one that does.
        var token = TestTokens.For(TestTokens.NewUserId());
        var hanging = Enumerable.Range(0, 5).Select(_ => Push.NewBrowser()).ToList();
        var answering = Push.NewBrowser();
        foreach (var browser in hanging)
        {
            Push.Hang(browser);
            await App.Api.SubscribeAsync(token, browser.ToJson());
        }

        await App.Api.SubscribeAsync(token, answering.ToJson());
        var generation = await App.Api.CreateGenerationAsync(token);
        await App.DeliverAsync(generation.Id);
        var eventId = await App.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @g", ("g", generation.Id));

        // Act: the first handling (one after another, the answering one would never be reached in 3 s), then a re-dispatch.
        await App.Function<NotificationFunctions>().Notify($$"""{"event":{{eventId}}}""", CancellationToken.None);
        var afterFirst = (Push.Received.Count, Outcome: await OutcomeAsync(eventId));
        hanging.ForEach(Push.Release);
        await App.Function<NotificationFunctions>().Notify($$"""{"event":{{eventId}}}""", CancellationToken.None);

        // Assert
        Assert.Equal((1, (string?)null), afterFirst);
        Assert.Equal(1, Push.RequestsFor(answering));
        Assert.Equal(6, Push.Received.Count);
        Assert.Equal("delivered", await OutcomeAsync(eventId));
    }

    [Fact]
    public async Task AnEventIsDispatchedABoundedNumberOfTimes_ThenEndsGivenUp()
    {
        // Arrange: an event whose messages are never handled; the sweep's clock moves past the resend period each pass.
        var token = TestTokens.For(TestTokens.NewUserId());
        await App.Api.SubscribeAsync(token, Push.NewBrowser().ToJson());
        var generation = await App.Api.CreateGenerationAsync(token);
        await App.DeliverAsync(generation.Id);
        var eventId = await App.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @g", ("g", generation.Id));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var maintenance = App.Services.GetRequiredService<IOptions<MaintenanceOptions>>();
        var dispatcher = new NotificationDispatcher(App.Services.GetRequiredService<NotificationStore>(), App.Services.GetRequiredService<NotificationQueue>(),
            maintenance, Options.Create(new NotificationOptions { MaxDispatches = 3 }), clock, NullLogger<NotificationDispatcher>.Instance);

        // Act
        for (var pass = 0; pass < 6; pass++)
        {
            await dispatcher.DispatchAsync(CancellationToken.None);
            clock.Advance(maintenance.Value.ResendPendingAfter + TimeSpan.FromSeconds(1));
        }

        // Assert
        Assert.Equal(3, await App.ScalarAsync("SELECT dispatches FROM generation_events WHERE id = @id", ("id", eventId)));
        Assert.Equal("gave_up", await OutcomeAsync(eventId));
    }

    [Fact]
    public async Task APoisonedNotificationMessage_EndsItsEventRecordedAsPoisoned()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var browser = Push.NewBrowser();
        await App.Api.SubscribeAsync(token, browser.ToJson());
        var generation = await App.Api.CreateGenerationAsync(token);
        await App.DeliverAsync(generation.Id);
        var eventId = await App.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @g", ("g", generation.Id));

        // Act: the host moved the message to the poison queue; a late copy of it arrives after.
        await App.Function<NotificationFunctions>().RecordUndeliverable($$"""{"event":{{eventId}}}""", CancellationToken.None);
        await App.Function<NotificationFunctions>().Notify($$"""{"event":{{eventId}}}""", CancellationToken.None);

        // Assert
        Assert.Equal("poisoned", await OutcomeAsync(eventId));
        Assert.Equal(0, Push.RequestsFor(browser));
        Assert.Contains(App.Logs.Lines, l => l.Message.Contains($"Notification event {eventId} ended poisoned", StringComparison.Ordinal));
    }

    private Task<string?> OutcomeAsync(long eventId) => App.Services.GetRequiredService<NotificationStore>().OutcomeAsync(eventId, CancellationToken.None);
}
