using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Front;

/// <summary>One app on a database of its own (the maintenance endpoints sweep every row) behind one front, shared by a test class.</summary>
public sealed class FrontFixture : IAsyncLifetime
{
    public const string PageOrigin = "http://page.nanobanana.test:5173";

    /// <summary>Gemini's webhook endpoint is on (it is 404 without a secret): its signature is checked through real HTTP.</summary>
    public static readonly byte[] GeminiWebhookKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    private TestDatabase _database = null!;

    internal FunctionApp App { get; private set; } = null!;

    internal HttpFront Front { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        App = await FunctionApp.StartAsync(database: _database,
            configure: settings => settings["Economy:WebhookSecret"] = "whsec_" + Convert.ToBase64String(GeminiWebhookKey));
        Front = await HttpFront.StartAsync(App, new HttpFrontOptions(Cors: new HostCors([PageOrigin, "http://other.nanobanana.test"], Credentials: false)));
        Http.BaseAddress = new Uri(Front.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Front.DisposeAsync();
        await App.DisposeAsync();
        await _database.DisposeAsync();
    }
}
