using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Economy;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Economy;

/// <summary>
/// An app on a database of its own (the batcher gathers every waiting economy row, so tests must not share
/// them), calling the Gemini fake's Batch and Files APIs, on a clock that moves only when a test moves it.
/// </summary>
internal sealed class EconomyRig : IAsyncDisposable
{
    public const string Model = "gemini-3.1-flash-image";

    private EconomyRig(TestDatabase database, FakeGemini gemini, FunctionApp app, FakeTimeProvider clock)
    {
        Database = database;
        Gemini = gemini;
        App = app;
        Clock = clock;
    }

    public TestDatabase Database { get; }

    public FakeGemini Gemini { get; }

    public FunctionApp App { get; }

    public FakeTimeProvider Clock { get; }

    public FakeGeminiBatch Batch => Gemini.Batch;

    public EconomyStore Store => App.Services.GetRequiredService<EconomyStore>();

    public static async Task<EconomyRig> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var database = await TestDatabase.CreateAsync();
        var gemini = await FakeGemini.StartAsync();
        // Now (tokens are checked against the real clock), in whole seconds (Postgres keeps microseconds, not ticks).
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var app = await FunctionApp.StartWithGeminiAsync(gemini, settings =>
        {
            settings["Gemini:MaxRetries"] = "0";
            settings["Economy:GatherMinutes"] = "5";
            settings["Economy:MaxRequestsPerJob"] = "20";
            configure?.Invoke(settings);
        }, database, clock);
        return new EconomyRig(database, gemini, app, clock);
    }

    public async Task<GenerationResponse> CreateAsync(string token, string prompt = "a banana for tomorrow", int? maxWaitHours = null)
    {
        var response = await App.Api.CreateAsync(token, maxWaitHours is null
            ? new { prompt, speed = "economy" }
            : new { prompt, speed = "economy", maxWaitHours });
        Assert.True(response.Status == StatusCodes.Status202Accepted, response.ToString());
        return response.Generation;
    }

    /// <summary>One run of the economy timer, as the host runs it.</summary>
    public Task SweepAsync() => App.Function<EconomyFunctions>().Sweep(new TimerInfo(), CancellationToken.None);

    /// <summary>Moves past the gather wait and runs the timer: the waiting generations are submitted.</summary>
    public async Task SubmitAsync()
    {
        Clock.Advance(TimeSpan.FromMinutes(6));
        await SweepAsync();
    }

    /// <summary>Moves to the next poll and runs the timer.</summary>
    public async Task PollAsync()
    {
        Clock.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();
    }

    public async Task<GenerationResponse> ReadAsync(string token, Guid id) => (await App.Api.GetAsync(token, id.ToString())).Generation;

    /// <summary>The generation's event log, oldest first: its kinds.</summary>
    public async Task<List<string>> EventKindsAsync(Guid id)
    {
        await using var command = App.DataSource.CreateCommand("SELECT kind FROM generation_event_log WHERE generation_id = @id ORDER BY seq");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        var kinds = new List<string>();
        while (await reader.ReadAsync())
        {
            kinds.Add(reader.GetString(0));
        }

        return kinds;
    }

    /// <summary>Messages waiting in the generations queue, by generation id.</summary>
    public async Task<List<string>> QueuedAsync()
    {
        await App.RawQueue.CreateIfNotExistsAsync();
        var peeked = await App.RawQueue.PeekMessagesAsync(32);
        return peeked.Value.Select(m => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))).ToList();
    }

    public Task<string?> JobStateAsync(Guid generationId) => ScalarTextAsync(
        "SELECT j.state FROM economy_jobs j JOIN generations g ON g.economy_job_id = j.id WHERE g.id = @id", generationId);

    public async Task<string?> ScalarTextAsync(string sql, Guid id)
    {
        await using var command = App.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Gemini.DisposeAsync();
        await Database.DisposeAsync();
    }
}
