namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Tests that each run against a fresh app whose worker calls the HTTP Gemini fake: xUnit starts both
/// before every test and stops them after it. A subclass says only what differs: its settings, its
/// clock (a FakeTimeProvider where beats, leases or deadlines matter), and whether it needs a database
/// of its own (where a repair sweep acts on every row).
/// </summary>
// Members are private protected: the app and the fake are internal to this assembly, the test classes public for xUnit.
public abstract class WorkerAppTests : IAsyncLifetime
{
    private TestDatabase? _database;

    private protected FakeGemini Gemini { get; private set; } = null!;

    private protected FunctionApp App { get; private set; } = null!;

    /// <summary>The app's clock; null: the system's.</summary>
    private protected virtual TimeProvider? Clock => null;

    /// <summary>A database of the test's own instead of the shared one.</summary>
    private protected virtual bool OwnDatabase => false;

    /// <summary>Settings over <see cref="FunctionApp.StartWithGeminiAsync"/>'s shrunk retry waits and limits.</summary>
    private protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async Task InitializeAsync()
    {
        Gemini = await FakeGemini.StartAsync();
        _database = OwnDatabase ? await TestDatabase.CreateAsync() : null;
        App = await FunctionApp.StartWithGeminiAsync(Gemini, Configure, _database, Clock);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await Gemini.DisposeAsync();
    }
}
