using NanoBanana.Functions.Api;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Economy;

/// <summary>The economy lane's ends that are not the happy one: a file that never downloads, a job Google refuses, a retry.</summary>
public sealed class EconomyEdgeTests : IAsyncLifetime
{
    private EconomyRig _rig = null!;

    public async Task InitializeAsync() => _rig = await EconomyRig.StartAsync(settings => settings["Economy:MaxResultReads"] = "2");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task AResultsFileThatNeverDownloads_EndsInTheStandardLane_AfterItsTries()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();
        _rig.Batch.Succeed(_rig.Batch.Single());

        // Act: every download drops after 10 bytes.
        _rig.Batch.CutNextDownloadAfter = 10;
        await _rig.PollAsync();
        _rig.Batch.CutNextDownloadAfter = 10;
        await _rig.SweepAsync();
        var afterTwo = await _rig.ReadAsync(token, economy.Id);
        _rig.Batch.CutNextDownloadAfter = 10;
        await _rig.SweepAsync();

        // Assert
        Assert.Equal(("pending", "economy"), (afterTwo.Status, afterTwo.Lane));
        var read = await _rig.ReadAsync(token, economy.Id);
        Assert.Equal(("pending", "standard", PromotionReasons.NoResult), (read.Status, read.Lane, read.Promoted!.Reason));
        Assert.Equal([economy.Id.ToString("D")], await _rig.QueuedAsync());
    }

    [Fact]
    public async Task AJobGoogleRefuses_SendsItsGenerationsToTheStandardLane_AndGivesTheReservedCallBack()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        _rig.Batch.CreateRefusals.Enqueue(GeminiReplies.Error(400, "INVALID_ARGUMENT", "Model does not support batch."));

        // Act
        await _rig.SubmitAsync();

        // Assert
        var read = await _rig.ReadAsync(token, economy.Id);
        Assert.Equal(("standard", PromotionReasons.SubmitFailed, 0), (read.Lane, read.Promoted!.Reason, read.PaidCalls));
        Assert.Equal([economy.Id.ToString("D")], await _rig.QueuedAsync());
        Assert.Equal("done", await _rig.JobStateAsync(economy.Id));
        Assert.Equal(["queued", "promoted"], await _rig.EventKindsAsync(economy.Id));
    }

    [Fact]
    public async Task ARetryOfAFailedEconomyGeneration_RunsInTheStandardLane()
    {
        // Arrange: its line was a final error.
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();
        _rig.Batch.Succeed(_rig.Batch.Single(), key => FakeGeminiBatch.FinishReasonLine(key, "SAFETY"));
        await _rig.PollAsync();
        Assert.Equal("failed", (await _rig.ReadAsync(token, economy.Id)).Status);

        // Act
        var retried = await _rig.App.Api.RetryAsync(token, economy.Id.ToString());

        // Assert
        Assert.Equal(("pending", "standard", 0.067m), (retried.Generation.Status, retried.Generation.Lane, retried.Generation.EstimatedCostUsd!.Value));
        Assert.Equal([economy.Id.ToString("D")], await _rig.QueuedAsync());
    }

    [Fact]
    public async Task TheDailyCleanup_ForgetsAnEndedJob_OnceNoGenerationOfItIsLeft()
    {
        // Arrange: one ended job of two generations; its owner deletes one.
        var token = TestTokens.For(TestTokens.NewUserId());
        var (deleted, _) = (await _rig.CreateAsync(token), await _rig.CreateAsync(token));
        await _rig.SubmitAsync();
        _rig.Batch.SetState(_rig.Batch.Single(), "BATCH_STATE_EXPIRED");
        await _rig.PollAsync();
        await _rig.App.Api.DeleteAsync(token, deleted.Id.ToString());
        var cleanup = _rig.App.Function<NanoBanana.Functions.Maintenance.CleanupService>();

        // Act: a day on (the other generation still refers to the job), then past the 30 days' retention.
        _rig.Clock.Advance(TimeSpan.FromDays(1));
        await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        var afterADay = await _rig.App.ScalarAsync("SELECT count(*) FROM economy_jobs");
        _rig.Clock.Advance(TimeSpan.FromDays(30));
        await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);

        // Assert
        Assert.Equal(1, afterADay);
        Assert.Equal(0, await _rig.App.ScalarAsync("SELECT count(*) FROM economy_jobs"));
    }
}
