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
public sealed class PushBoundsTests : IAsyncLifetime
{
    private readonly (string Public, string Private) _vapid = TestVapidKeys.Create();
    private FakePushService _push = null!;
    private TestDatabase _db = null!;
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _push = await FakePushService.StartAsync();
        _db = await TestDatabase.CreateAsync();
        _app = await FunctionApp.StartAsync(database: _db, configure: settings =>
        {
            TestVapidKeys.Enable(settings, _vapid.Public, _vapid.Private, new Uri(_push.Origin).Host);
            settings["Notifications:SendBudgetSeconds"] = "3";
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        await _push.DisposeAsync();
    }

    [Fact]
    public async Task TheEleventhSubscription_Is409_AndRenewingAnExistingOne_StillWorks()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var browsers = Enumerable.Range(0, 10).Select(_ => _push.NewBrowser()).ToList();
        foreach (var browser in browsers)
        {
            Assert.Equal(StatusCodes.Status201Created, (await _app.Api.SubscribeAsync(token, browser.ToJson())).Status);
        }

        // Act
        var eleventh = await _app.Api.SubscribeAsync(token, _push.NewBrowser().ToJson());
        var renewed = await _app.Api.SubscribeAsync(token, browsers[0].ToJson());

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
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _app.Api.SubscribeAsync(token, _push.NewBrowser().ToJson())));

        // Assert
        Assert.Equal(10, answers.Count(a => a.Status == StatusCodes.Status201Created));
        Assert.Equal(10, await _app.ScalarAsync("SELECT count(*) FROM push_subscriptions WHERE owner_id = @o", ("o", owner)));
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
        var response = await _app.Api.SubscribeAsync(TestTokens.For(TestTokens.NewUserId()), browser.ToJson());

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("push_endpoint_not_allowed", response.ProblemCode);
    }

    [Fact]
    public async Task PushesGoOutInParallelUnderOneBudget_AndARedispatchSendsOnlyToTheSubscriptionsNotReached()
    {
        // Arrange: five push services that never answer, subscribed first, then one that does.
        var token = TestTokens.For(TestTokens.NewUserId());
        var hanging = Enumerable.Range(0, 5).Select(_ => _push.NewBrowser()).ToList();
        var answering = _push.NewBrowser();
        foreach (var browser in hanging)
        {
            _push.Hang(browser);
            await _app.Api.SubscribeAsync(token, browser.ToJson());
        }

        await _app.Api.SubscribeAsync(token, answering.ToJson());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await _app.DeliverAsync(generation.Id);
        var eventId = await _app.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @g", ("g", generation.Id));

        // Act: the first handling (one after another, the answering one would never be reached in 3 s), then a re-dispatch.
        await _app.Function<NotificationFunctions>().Notify($$"""{"event":{{eventId}}}""", CancellationToken.None);
        var afterFirst = (_push.Received.Count, Outcome: await OutcomeAsync(eventId));
        hanging.ForEach(_push.Release);
        await _app.Function<NotificationFunctions>().Notify($$"""{"event":{{eventId}}}""", CancellationToken.None);

        // Assert
        Assert.Equal((1, (string?)null), afterFirst);
        Assert.Equal(1, _push.RequestsFor(answering));
        Assert.Equal(6, _push.Received.Count);
        Assert.Equal("delivered", await OutcomeAsync(eventId));
    }

    [Fact]
    public async Task AnEventIsDispatchedABoundedNumberOfTimes_ThenEndsGivenUp()
    {
        // Arrange: an event whose messages are never handled; the sweep's clock moves past the resend period each pass.
        var token = TestTokens.For(TestTokens.NewUserId());
        await _app.Api.SubscribeAsync(token, _push.NewBrowser().ToJson());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await _app.DeliverAsync(generation.Id);
        var eventId = await _app.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @g", ("g", generation.Id));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var maintenance = _app.Services.GetRequiredService<IOptions<MaintenanceOptions>>();
        var dispatcher = new NotificationDispatcher(_app.Services.GetRequiredService<NotificationStore>(), _app.Services.GetRequiredService<NotificationQueue>(),
            maintenance, Options.Create(new NotificationOptions { MaxDispatches = 3 }), clock, NullLogger<NotificationDispatcher>.Instance);

        // Act
        for (var pass = 0; pass < 6; pass++)
        {
            await dispatcher.DispatchAsync(CancellationToken.None);
            clock.Advance(maintenance.Value.ResendPendingAfter + TimeSpan.FromSeconds(1));
        }

        // Assert
        Assert.Equal(3, await _app.ScalarAsync("SELECT dispatches FROM generation_events WHERE id = @id", ("id", eventId)));
        Assert.Equal("gave_up", await OutcomeAsync(eventId));
    }

    [Fact]
    public async Task APoisonedNotificationMessage_EndsItsEventRecordedAsPoisoned()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var browser = _push.NewBrowser();
        await _app.Api.SubscribeAsync(token, browser.ToJson());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await _app.DeliverAsync(generation.Id);
        var eventId = await _app.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @g", ("g", generation.Id));

        // Act: the host moved the message to the poison queue; a late copy of it arrives after.
        await _app.Function<NotificationFunctions>().RecordUndeliverable($$"""{"event":{{eventId}}}""", CancellationToken.None);
        await _app.Function<NotificationFunctions>().Notify($$"""{"event":{{eventId}}}""", CancellationToken.None);

        // Assert
        Assert.Equal("poisoned", await OutcomeAsync(eventId));
        Assert.Equal(0, _push.RequestsFor(browser));
        Assert.Contains(_app.Logs.Lines, l => l.Message.Contains($"Notification event {eventId} ended poisoned", StringComparison.Ordinal));
    }

    private Task<string?> OutcomeAsync(long eventId) => _app.Services.GetRequiredService<NotificationStore>().OutcomeAsync(eventId, CancellationToken.None);
}
