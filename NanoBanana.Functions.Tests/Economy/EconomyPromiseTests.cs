using NanoBanana.Functions.Api;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Economy;

/// <summary>
/// The promise and the crashes (issue 26 items 4 and 6): a job that expires, stays pending or runs out the
/// promise promotes its generations to the standard lane, which then run at full price; a crash between submit
/// and record does not pay twice; a result claimed by a follower that crashed still completes from the file;
/// cancel before submit costs nothing, after it is best effort.
/// </summary>
public sealed class EconomyPromiseTests : IAsyncLifetime
{
    private EconomyRig _rig = null!;

    public async Task InitializeAsync() => _rig = await EconomyRig.StartAsync(settings =>
    {
        settings["Economy:PromoteAheadMinutes"] = "30";
        settings["Economy:StuckPendingHours"] = "12";
        settings["Economy:LeaseSeconds"] = "120";
    });

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task AnExpiredJob_PromotesItsGenerations_WhichThenRunNowAtTheStandardPrice()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();
        _rig.Batch.SetState(_rig.Batch.Single(), "BATCH_STATE_EXPIRED");

        // Act
        await _rig.PollAsync();
        var promoted = await _rig.ReadAsync(token, economy.Id);
        var delivered = await _rig.App.DeliverUntilSettledAsync(economy.Id);
        var read = await _rig.ReadAsync(token, economy.Id);

        // Assert
        Assert.Equal(("pending", "standard", PromotionReasons.JobExpired), (promoted.Status, promoted.Lane, promoted.Promoted!.Reason));
        Assert.Equal([economy.Id.ToString("D")], await _rig.QueuedAsync());
        Assert.Equal(1, delivered);
        Assert.Equal(("completed", (decimal?)0.067m, 2), (read.Status, read.EstimatedCostUsd, read.PaidCalls)); // the batch's call and the standard one
        Assert.Single(_rig.Gemini.Requests);
        Assert.Equal(["queued", "promoted", "started", "stored", "completed"], await _rig.EventKindsAsync(economy.Id));
    }

    [Fact]
    public async Task NearItsPromise_AGenerationIsPromoted_AndALateBatchResultIsIgnored()
    {
        // Arrange: a 2-hour promise; the job stays running.
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token, maxWaitHours: 2);
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        _rig.Batch.SetState(job, "BATCH_STATE_RUNNING");
        await _rig.PollAsync();
        Assert.Equal("pending", (await _rig.ReadAsync(token, economy.Id)).Status);

        // Act: 30 minutes before the promise, then the late result.
        _rig.Clock.SetUtcNow(economy.PromisedBy!.Value - TimeSpan.FromMinutes(29));
        await _rig.SweepAsync();
        var promoted = await _rig.ReadAsync(token, economy.Id);
        await _rig.App.DeliverUntilSettledAsync(economy.Id);
        _rig.Batch.Succeed(job);
        await _rig.PollAsync();
        var read = await _rig.ReadAsync(token, economy.Id);

        // Assert
        Assert.Equal(("standard", PromotionReasons.PromiseDue), (promoted.Lane, promoted.Promoted!.Reason));
        Assert.True(read.CompletedAt <= economy.PromisedBy);
        Assert.Equal(("completed", 1), (read.Status, read.Attempts)); // the worker's claim only: the batch's result claimed nothing
        Assert.Equal(["queued", "promoted", "started", "stored", "completed"], await _rig.EventKindsAsync(economy.Id));
    }

    [Fact]
    public async Task AJobStuckPending_IsCancelledAtGoogle_AndItsGenerationsPromoted()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token, maxWaitHours: 36);
        await _rig.SubmitAsync();

        // Act
        _rig.Clock.Advance(TimeSpan.FromHours(12));
        await _rig.SweepAsync();

        // Assert
        var read = await _rig.ReadAsync(token, economy.Id);
        Assert.Equal(("standard", PromotionReasons.JobStuckPending), (read.Lane, read.Promoted!.Reason));
        Assert.True(_rig.Batch.Single().CancelRequested);
    }

    [Fact]
    public async Task ACrashBetweenSubmitAndRecord_IsRecoveredByDisplayName_WithoutASecondJob()
    {
        // Arrange: Google creates the job, and its answer never arrives (the batcher's process "dies" there).
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        _rig.Batch.CreateAnswersToDrop = 1;
        await _rig.SubmitAsync();
        Assert.Equal("preparing", await _rig.JobStateAsync(economy.Id));

        // Act: the next runs, before and after the dead batcher's hold on the job ran out.
        await _rig.SweepAsync();
        var creates = _rig.Batch.Creates;
        _rig.Clock.Advance(TimeSpan.FromMinutes(3));
        await _rig.SweepAsync();
        _rig.Batch.Succeed(_rig.Batch.Single());
        await _rig.PollAsync();

        // Assert
        Assert.Equal(1, creates);
        Assert.Equal(1, _rig.Batch.Creates);
        Assert.Single(_rig.Batch.Jobs);
        var read = await _rig.ReadAsync(token, economy.Id);
        Assert.Equal(("completed", "economy", 1), (read.Status, read.Lane, read.PaidCalls));
    }

    [Fact]
    public async Task ASubmitThatNeverReachedGoogle_IsSubmittedOnce_FromTheFileAlreadyUploaded()
    {
        // Arrange: the create fails with a 503 (the job does not exist at Google).
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        _rig.Batch.CreateRefusals.Enqueue(GeminiReplies.Error(503, "UNAVAILABLE", "The service is currently unavailable."));
        await _rig.SubmitAsync();

        // Act
        _rig.Clock.Advance(TimeSpan.FromMinutes(3));
        await _rig.SweepAsync();

        // Assert: one upload, one job at Google, recorded.
        Assert.Single(_rig.Batch.Requests, r => r.PathAndQuery.Contains("upload_id=", StringComparison.Ordinal));
        Assert.Single(_rig.Batch.Jobs);
        Assert.Equal("open", await _rig.JobStateAsync(economy.Id));
    }

    [Fact]
    public async Task AResultClaimedByAFollowerThatCrashed_StillCompletesFromTheFile_EvenPastThePromise()
    {
        // Arrange: the job succeeded; a follower claimed the row's result and died before completing it.
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token, maxWaitHours: 1);
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        _rig.Batch.Succeed(job);
        var jobId = Guid.Parse((await _rig.ScalarTextAsync("SELECT economy_job_id::text FROM generations WHERE id = @id", economy.Id))!);
        await _rig.Store.BeginReadAsync(jobId, _rig.Clock.GetUtcNow(), CancellationToken.None);
        Assert.NotNull(await _rig.Store.ClaimResultAsync(economy.Id, jobId, _rig.Clock.GetUtcNow(), TimeSpan.FromMinutes(2), CancellationToken.None));

        // Act: past its lease and inside the promise's margin.
        _rig.Clock.Advance(TimeSpan.FromMinutes(40));
        await _rig.SweepAsync();

        // Assert
        var read = await _rig.ReadAsync(token, economy.Id);
        Assert.Equal(("completed", "economy", (PromotionResponse?)null, 2), (read.Status, read.Lane, read.Promoted, read.Attempts));
        Assert.Equal(["queued", "started", "started", "stored", "completed"], await _rig.EventKindsAsync(economy.Id));
        Assert.Empty(await _rig.QueuedAsync());
    }

    [Fact]
    public async Task CancelBeforeSubmit_CostsNothing_AndNothingGoesToGoogle()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);

        // Act
        var cancelled = (await _rig.App.Api.CancelAsync(token, economy.Id.ToString())).Generation;
        await _rig.SubmitAsync();

        // Assert
        Assert.Equal(("cancelled", "before_call", 0), (cancelled.Status, cancelled.CancelOutcome, cancelled.PaidCalls));
        Assert.Empty(_rig.Batch.Requests);
    }

    [Fact]
    public async Task CancelAfterSubmit_SaysACallMayBeBilled_AndTheJobIsCancelledAtGoogle_WhenNothingOfItIsLeft()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();

        // Act
        var cancelled = (await _rig.App.Api.CancelAsync(token, economy.Id.ToString())).Generation;
        await _rig.PollAsync();

        // Assert
        Assert.Equal(("cancelled", "after_call", 1), (cancelled.Status, cancelled.CancelOutcome, cancelled.PaidCalls));
        Assert.True(_rig.Batch.Single().CancelRequested);
        Assert.Equal("done", await _rig.JobStateAsync(economy.Id));
    }
}
