using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// A claim lives as long as its worker beats (lease 45 s, renewed every 15 s): a working call keeps
/// it however long it takes; a claim that is gone stops the call; a stopping host hands it back at once.
/// The app's clock is a FakeTimeProvider, so the beats happen when the test moves time.
/// </summary>
public sealed class ClaimLifetimeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FakeGemini _gemini = null!;
    private TestDatabase _database = null!; // the repair sweep acts on every row
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _gemini = await FakeGemini.StartAsync();
        _database = await TestDatabase.CreateAsync();
        // The resilience pipeline's attempt timeout runs on the app's clock too: longer than the minute the tests move it.
        _app = await FunctionApp.StartWithGeminiAsync(_gemini, settings => settings["Gemini:AttemptTimeoutSeconds"] = "300", _database, _clock);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    [Fact]
    public async Task TheHeartbeat_KeepsTheClaimForAsLongAsTheCallRuns_SoTheSweepLeavesItAlone()
    {
        // Arrange: Gemini holds its answer.
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        _gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(TestImages.Png)));
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        var delivery = _app.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: 60 s pass in beats of 15 s, well past the 45 s the claim took; then the sweep runs.
        for (var beat = 1; beat <= 4; beat++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
            await _app.Logs.WaitForAsync(LeaseRenewed, count: beat);
        }

        var sweep = await _app.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);
        gate.SetResult();

        // Assert
        Assert.Null(await delivery);
        Assert.Equal(0, sweep.Requeued);
        Assert.Equal(("completed", 1, (string?)null), await _app.RowAsync(generation.Id));
        Assert.Single(_gemini.Requests);
    }

    [Fact]
    public async Task ACancelWhileTheCallRuns_AbortsTheRequestAtTheNextBeat_InsteadOfFinishingIt()
    {
        // Arrange
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        _gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        var delivery = _app.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act
        await _app.Api.CancelAsync(token, generation.Id.ToString());
        _clock.Advance(TimeSpan.FromSeconds(15));
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: the request was aborted, the delivery ended quietly, nothing was written.
        Assert.Null(await delivery);
        Assert.Equal("cancelled", (await _app.RowAsync(generation.Id)).Status);
        Assert.Empty(await _app.BlobNamesAsync($"{generation.Id:D}/output-"));
        Assert.Contains(_app.Logs.Lines, l => l.Message.Contains("the claim is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenTheHostStops_TheCallIsAborted_AndTheGenerationIsHandedBackWithAMessageVisibleNow()
    {
        // Arrange
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        _gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await _app.RawQueue.ClearMessagesAsync();
        using var host = new CancellationTokenSource();
        var delivery = _app.Function<GenerationWorkerFunctions>().Process(generation.Id.ToString("D"), host.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: drain, scale-in or deploy.
        await host.CancelAsync();
        await delivery; // ends without throwing: the host deletes this message; the new one carries on
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: pending again, its interrupted call still counted (Google may have started it), its liveness lock released.
        Assert.Equal(("pending", 1, (string?)null), await _app.RowAsync(generation.Id));
        Assert.Equal((1, 1, (string?)null), await _app.RunAsync(generation.Id));
        Assert.Equal(0L, await _app.ScalarAsync(
            $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = {NanoBanana.Functions.Data.GenerationTransitions.LivenessLockClass} " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
        var message = Assert.Single((await _app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        Assert.Equal(generation.Id.ToString("D"), Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)));
    }

    private static bool LeaseRenewed(LogLine line) => line.Message.EndsWith("lease renewed", StringComparison.Ordinal);
}
