using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Economy;

/// <summary>
/// The batcher and the follower against the Gemini fake's Batch and Files APIs (issue 26 items 2, 3 and 6):
/// small jobs per model through a JSONL file keyed by generation id; a succeeded job's file read as a stream,
/// each line completing or failing its generation through the worker's fenced statements and event log.
/// </summary>
public sealed class EconomyBatchTests : IAsyncLifetime
{
    private EconomyRig _rig = null!;

    public async Task InitializeAsync() => _rig = await EconomyRig.StartAsync(settings => settings["Economy:MaxRequestsPerJob"] = "2");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task NothingIsSubmitted_BeforeAJobIsFull_OrItsOldestHasWaitedTheGatherTime()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        await _rig.CreateAsync(token);

        // Act
        _rig.Clock.Advance(TimeSpan.FromMinutes(4));
        await _rig.SweepAsync();

        // Assert
        Assert.Empty(_rig.Batch.Requests);
    }

    [Fact]
    public async Task WaitingGenerations_GoOutInSmallJobs_AsAJsonlFileKeyedByGeneration_WithTheirCallReserved()
    {
        // Arrange: five generations, jobs of two.
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = new List<GenerationResponse>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await _rig.CreateAsync(token, $"banana {i}"));
        }

        // Act
        await _rig.SubmitAsync();

        // Assert
        var jobs = _rig.Batch.Jobs.Values.OrderBy(j => j.Created).ToList();
        Assert.Equal([2, 2, 1], jobs.Select(j => j.Keys.Count));
        Assert.Equal(created.Select(g => g.Id.ToString("D")).Order(), jobs.SelectMany(j => j.Keys).Order());
        Assert.All(jobs, j => Assert.Equal(EconomyRig.Model, j.Model));
        var line = jobs.SelectMany(j => j.Lines).Single(l => l.GetProperty("key").GetString() == created[0].Id.ToString("D"));
        Assert.Equal("banana 0", line.GetProperty("request").GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.All(_rig.Batch.Requests, r => Assert.Equal(TestSecrets.ServerGeminiKey, r.Headers["x-goog-api-key"]));
        var read = await _rig.ReadAsync(token, created[0].Id);
        Assert.Equal(("pending", "economy", 1), (read.Status, read.Lane, read.PaidCalls));
        Assert.Equal("open", await _rig.JobStateAsync(created[0].Id));
        Assert.Empty(await _rig.QueuedAsync());
        Assert.Empty(_rig.Gemini.Requests); // no generateContent call
    }

    [Fact]
    public async Task ASucceededJob_CompletesEachGeneration_WithTheStandardLanesEvents_AtTheBatchPrice()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();
        _rig.Batch.Succeed(_rig.Batch.Single());

        // Act
        await _rig.PollAsync();

        // Assert
        var read = await _rig.ReadAsync(token, economy.Id);
        Assert.Equal(("completed", "economy", 1, 1), (read.Status, read.Lane, read.Images.Count, read.PaidCalls));
        Assert.Equal(0.0335m, read.EstimatedCostUsd);
        Assert.Equal([$"{economy.Id:D}/output-1-0"], await _rig.App.BlobNamesAsync($"{economy.Id:D}/"));
        Assert.Equal(TestImages.Png, (await _rig.App.Api.ImageAsync(token, economy.Id.ToString())).Body);
        Assert.Equal(["queued", "started", "stored", "completed"], await _rig.EventKindsAsync(economy.Id));
        Assert.Equal("done", await _rig.JobStateAsync(economy.Id));
        var day = Assert.Single((await _rig.App.Services.GetRequiredService<StatsService>().GetAsync(1, CancellationToken.None)).Window.EstimatedCostPerDay);
        Assert.Equal((1L, 1L, 0.0335m, 0.0335m), (day.Images, day.EconomyImages, day.EstimatedCostUsd, day.EconomySavedUsd));
    }

    [Fact]
    public async Task AJobWithFailedLines_FailsEachWithItsClassifiedCode_PromotesTheRetryable_AndTheMissing()
    {
        // Arrange: one job each, so every line's job is known.
        await using var rig = await EconomyRig.StartAsync(settings => settings["Economy:MaxRequestsPerJob"] = "5");
        var token = TestTokens.For(TestTokens.NewUserId());
        var (ok, invalid, unsafeImage, busy, missing) =
            (await rig.CreateAsync(token, "ok"), await rig.CreateAsync(token, "invalid"), await rig.CreateAsync(token, "unsafe"),
             await rig.CreateAsync(token, "busy"), await rig.CreateAsync(token, "missing"));
        await rig.SubmitAsync();
        rig.Batch.Succeed(rig.Batch.Single(), key =>
            key == ok.Id.ToString("D") ? FakeGeminiBatch.ImageLine(key)
            : key == invalid.Id.ToString("D") ? FakeGeminiBatch.ErrorLine(key, 400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
            : key == unsafeImage.Id.ToString("D") ? FakeGeminiBatch.FinishReasonLine(key, "IMAGE_SAFETY")
            : key == busy.Id.ToString("D") ? FakeGeminiBatch.ErrorLine(key, 503, "UNAVAILABLE", "The model is overloaded.")
            : null);

        // Act
        await rig.PollAsync();

        // Assert
        Assert.Equal("completed", (await rig.ReadAsync(token, ok.Id)).Status);
        var failed = await rig.ReadAsync(token, invalid.Id);
        Assert.Equal(("failed", GeminiFailureCodes.InvalidRequest), (failed.Status, failed.Error!.Code));
        Assert.Equal(["queued", "started", "failed"], await rig.EventKindsAsync(invalid.Id));
        Assert.Equal(GeminiFailureCodes.ImageSafety, (await rig.ReadAsync(token, unsafeImage.Id)).Error!.Code);
        var retried = await rig.ReadAsync(token, busy.Id);
        Assert.Equal(("pending", "standard", PromotionReasons.TransientError), (retried.Status, retried.Lane, retried.Promoted!.Reason));
        var lost = await rig.ReadAsync(token, missing.Id);
        Assert.Equal(("pending", "standard", PromotionReasons.NoResult), (lost.Status, lost.Lane, lost.Promoted!.Reason));
        Assert.Equal(new[] { busy.Id, missing.Id }.Select(id => id.ToString("D")).Order(), (await rig.QueuedAsync()).Order());
        Assert.Equal(0.067m, lost.EstimatedCostUsd); // promoted: the standard price
    }

    [Fact]
    public async Task AResultClaimedByAReaderThatDied_ReadAgainBeforeItsLeaseRunsOut_KeepsTheJobOpen_AndIsCompletedFromTheFileAfter()
    {
        // Arrange: a succeeded job, one of whose results a reader claimed before it died (its 120 s lease running).
        var token = TestTokens.For(TestTokens.NewUserId());
        var (claimed, other) = (await _rig.CreateAsync(token, "claimed"), await _rig.CreateAsync(token, "other"));
        await _rig.SubmitAsync();
        _rig.Batch.Succeed(_rig.Batch.Single());
        var job = Guid.Parse((await _rig.ScalarTextAsync("SELECT economy_job_id::text FROM generations WHERE id = @id", claimed.Id))!);
        Assert.NotNull(await _rig.Store.ClaimResultAsync(claimed.Id, job, _rig.Clock.GetUtcNow(), TimeSpan.FromSeconds(120), CancellationToken.None));

        // Act: the next read comes at the poll (60 s on), the claim still held; another sweep once it has run out.
        _rig.Clock.Advance(TimeSpan.FromSeconds(60));
        await _rig.SweepAsync();
        var whileHeld = (await _rig.ReadAsync(token, claimed.Id), await _rig.JobStateAsync(claimed.Id));
        _rig.Clock.Advance(TimeSpan.FromSeconds(60));
        await _rig.SweepAsync();

        // Assert: the job was not ended under the held claim; the claimed result was then taken over, from the file.
        Assert.Equal(("processing", "open"), (whileHeld.Item1.Status, whileHeld.Item2));
        Assert.Equal("completed", (await _rig.ReadAsync(token, other.Id)).Status);
        var read = await _rig.ReadAsync(token, claimed.Id);
        Assert.Equal(("completed", "economy", 1), (read.Status, read.Lane, read.PaidCalls));
        Assert.Equal([$"{claimed.Id:D}/output-2-0"], await _rig.App.BlobNamesAsync($"{claimed.Id:D}/"));
        Assert.Equal("done", await _rig.JobStateAsync(claimed.Id));
        Assert.Empty(await _rig.QueuedAsync());
    }

    [Fact]
    public async Task AResultsFileCutMidDownload_IsReadAgain_AndEveryGenerationCompletesOnce()
    {
        // Arrange: the download drops in the middle of the second line.
        var token = TestTokens.For(TestTokens.NewUserId());
        var (first, second) = (await _rig.CreateAsync(token, "one"), await _rig.CreateAsync(token, "two"));
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        _rig.Batch.Succeed(job);
        var firstLine = System.Text.Encoding.UTF8.GetString(_rig.Batch.Files[job.ResponsesFile!]).Split('\n')[0].Length + 1;
        _rig.Batch.CutNextDownloadAfter = firstLine + 40;

        // Act
        await _rig.PollAsync();
        var afterCut = (await _rig.ReadAsync(token, first.Id), await _rig.ReadAsync(token, second.Id));
        await _rig.SweepAsync(); // a broken read is due again at once
        var afterRead = (await _rig.ReadAsync(token, first.Id), await _rig.ReadAsync(token, second.Id));

        // Assert: whichever line came first completed on the first read; nothing was promoted, nothing done twice.
        Assert.Equal(1, new[] { afterCut.Item1.Status, afterCut.Item2.Status }.Count(s => s == "completed"));
        Assert.Equal(("completed", "completed"), (afterRead.Item1.Status, afterRead.Item2.Status));
        Assert.Equal((1, 1), (afterRead.Item1.Attempts, afterRead.Item2.Attempts));
        Assert.Equal(("economy", "economy"), (afterRead.Item1.Lane, afterRead.Item2.Lane));
        Assert.Empty(await _rig.QueuedAsync());
    }
}
