using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Notifications;

/// <summary>
/// What every Web Push test starts from: a database of its own, a push service that checks the VAPID JWT
/// and decrypts each message with the browser's keys, and an app whose VAPID keys and known push hosts
/// point at it (a short send budget, so a push service that never answers costs a test seconds).
/// </summary>
public abstract class PushAppTests : IAsyncLifetime
{
    protected (string Public, string Private) Vapid { get; } = TestVapidKeys.Create();

    private protected FakePushService Push { get; private set; } = null!;

    private protected TestDatabase Db { get; private set; } = null!;

    private protected FunctionApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Push = await FakePushService.StartAsync();
        Db = await TestDatabase.CreateAsync();
        App = await FunctionApp.StartAsync(database: Db, configure: settings =>
        {
            TestVapidKeys.Enable(settings, Vapid.Public, Vapid.Private, new Uri(Push.Origin).Host);
            settings["Notifications:SendBudgetSeconds"] = "3";
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Db.DisposeAsync();
        await Push.DisposeAsync();
    }
}
