namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// One app shared by the tests of a class (xunit's IClassFixture, as eShop's functional tests share
/// one host), for classes whose tests keep apart by user id and count no queue messages or Gemini
/// calls. A class whose tests do, starts an app per test.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    internal FunctionApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();

    internal virtual Task<FunctionApp> StartAsync() => FunctionApp.StartAsync();
}

/// <summary>An app that takes request bodies of at most 64 KB, so a test sends an oversized one cheaply.</summary>
public sealed class SmallBodyAppFixture : AppFixture
{
    internal override Task<FunctionApp> StartAsync() => FunctionApp.StartAsync(settings => settings["Api:MaxBodyBytes"] = "65536");
}
