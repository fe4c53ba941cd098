using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// A claim lives as long as its worker beats (lease 45 s, renewed every 15 s): a working call keeps
/// it however long it takes; a claim that is gone stops the call; a stopping host hands it back at once.
/// The app's clock is a FakeTimeProvider, so the beats happen when the test moves time.
/// </summary>
public sealed class ClaimLifetimeTests : WorkerAppTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private protected override TimeProvider Clock => _clock;

    private protected override bool OwnDatabase => true; // the repair sweep acts on every row

    // The resilience pipeline's attempt timeout runs on the app's clock too: longer than the minute the tests move it.
    private protected override void Configure(Dictionary<string, string?> settings) => settings["Gemini:AttemptTimeoutSeconds"] = "300";

    [Fact]
    public async Task TheHeartbeat_KeepsTheClaimForAsLongAsTheCallRuns_SoTheSweepLeavesItAlone()
    {
        // Arrange: Gemini holds its answer.
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(TestImages.Png)));
        var generation = await App.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        var delivery = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: 60 s pass in beats of 15 s, well past the 45 s the claim took; then the sweep runs.
        for (var beat = 1; beat <= 4; beat++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
            await App.Logs.WaitForAsync(LeaseRenewed, count: beat);
        }

        var sweep = await App.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);
        gate.SetResult();

        // Assert
        Assert.Null(await delivery);
        Assert.Equal(0, sweep.Requeued);
        Assert.Equal(("completed", 1, (string?)null), await App.RowAsync(generation.Id));
        Assert.Single(Gemini.Requests);
    }

    [Fact]
    public async Task ACancelWhileTheCallRuns_AbortsTheRequestAtTheNextBeat_InsteadOfFinishingIt()
    {
        // Arrange
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        var delivery = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act
        await App.Api.CancelAsync(token, generation.Id.ToString());
        _clock.Advance(TimeSpan.FromSeconds(15));
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: the request was aborted, the delivery ended quietly, nothing was written.
        Assert.Null(await delivery);
        Assert.Equal("cancelled", (await App.RowAsync(generation.Id)).Status);
        Assert.Empty(await App.BlobNamesAsync($"{generation.Id:D}/output-"));
        Assert.Contains(App.Logs.Lines, l => l.Message.Contains("the claim is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenTheHostStops_TheCallIsAborted_AndTheGenerationIsHandedBackWithAMessageVisibleNow()
    {
        // Arrange
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var generation = await App.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await App.RawQueue.ClearMessagesAsync();
        using var host = new CancellationTokenSource();
        var delivery = App.Function<GenerationWorkerFunctions>().Process(generation.Id.ToString("D"), host.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: drain, scale-in or deploy.
        await host.CancelAsync();
        await delivery; // ends without throwing: the host deletes this message; the new one carries on
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: pending again, its interrupted call still counted (Google may have started it), its liveness lock released.
        Assert.Equal(("pending", 1, (string?)null), await App.RowAsync(generation.Id));
        Assert.Equal((1, 1, (string?)null), await App.RunAsync(generation.Id));
        Assert.Equal(0L, await App.ScalarAsync(
            $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = {NanoBanana.Functions.Generations.Lifecycle.GenerationTransitions.LivenessLockClass} " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
        var message = Assert.Single((await App.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        Assert.Equal(generation.Id.ToString("D"), Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)));
    }

    private static bool LeaseRenewed(LogLine line) => line.Message.EndsWith("lease renewed", StringComparison.Ordinal);
}
