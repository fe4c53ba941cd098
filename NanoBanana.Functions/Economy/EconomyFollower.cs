using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Batch;
using NanoBanana.Functions.Gemini.Wire;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// Follows the open batch jobs and keeps the promise. Each due job's state is asked of Google: a succeeded
/// job's results file is read as a stream, line by line, each line's generation claimed, its images stored as
/// the worker stores them and the generation completed (or failed with the worker's classification of the
/// error) through the worker's own fenced statements; a job that expired, failed, was cancelled or stayed
/// pending too long has its generations promoted to the standard lane. Last, generations near their promise
/// are promoted whatever their job is doing (except those of a succeeded job whose file is being read).
/// </summary>
public sealed class EconomyFollower(
    EconomyStore store,
    MaintenanceRoleStore worker,
    GeminiBatchClient batch,
    ImageStore images,
    PromotedGenerations promoted,
    GenerationMetrics metrics,
    IOptions<EconomyOptions> options,
    IOptions<GeminiOptions> gemini,
    TimeProvider clock,
    ILogger<EconomyFollower> logger)
{
    private const int JobsPerRun = 20;
    private const int PromotionsPerStatement = 200;

    public async Task<EconomyReport> RunAsync(CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.Enabled || gemini.Value.Backend != GeminiBackend.Developer)
        {
            return new EconomyReport(0, 0, 0, 0);
        }

        var report = new EconomyReport(0, 0, 0, 0);
        foreach (var job in await store.TakeDueAsync(clock.GetUtcNow(), settings.Lease, settings.Poll, JobsPerRun, ct))
        {
            report += await FollowAsync(job, ct);
        }

        List<Guid> due;
        do
        {
            var now = clock.GetUtcNow();
            due = await store.PromoteDueAsync(now, now + settings.PromoteAhead, settings.MaxResultReads, PromotionsPerStatement, ct);
            await promoted.SendAsync(due, PromotionReasons.PromiseDue, ct);
            report = report with { Promoted = report.Promoted + due.Count };
        }
        while (due.Count == PromotionsPerStatement);

        return report;
    }

    private async Task<EconomyReport> FollowAsync(OpenJob job, CancellationToken ct)
    {
        BatchJob? state;
        try
        {
            state = await batch.GetJobAsync(job.GeminiName, ct);
        }
        catch (Exception exception) when (exception is GeminiBatchException or HttpRequestException or IOException)
        {
            logger.LogWarning(exception, "Economy job {JobId} ({GeminiName}): its state could not be read; asked again at the next poll", job.Id, job.GeminiName);
            return new EconomyReport(0, 0, 0, 0);
        }

        var now = clock.GetUtcNow();
        if (state is null || state.State is BatchJobState.Failed or BatchJobState.Cancelled or BatchJobState.Expired)
        {
            var reason = state?.State switch
            {
                BatchJobState.Expired => PromotionReasons.JobExpired,
                BatchJobState.Cancelled => PromotionReasons.JobCancelled,
                _ => PromotionReasons.JobFailed,
            };
            var seen = state?.State.ToName() ?? "NOT_FOUND";
            logger.LogWarning("Economy job {JobId} ({GeminiName}) ended {State} without results", job.Id, job.GeminiName, seen);
            return new EconomyReport(0, 0, 0, await EndAndPromoteAsync(job, seen, reason, ct));
        }

        if (state.State == BatchJobState.Succeeded)
        {
            return await ReadResultsAsync(job, state, ct);
        }

        if (job.Active == 0)
        {
            // Every generation of it was cancelled: ask Google to stop it (best effort: what it did already may be billed).
            await CancelAtGoogleAsync(job, ct);
            await store.EndJobAsync(job.Id, "CANCEL_REQUESTED", now, ct);
            return new EconomyReport(0, 0, 0, 0);
        }

        if (state.State == BatchJobState.Pending && now - job.SubmittedAt >= options.Value.StuckPending)
        {
            logger.LogWarning("Economy job {JobId} ({GeminiName}) still pending after {Hours} h: cancelled, its generations promoted",
                job.Id, job.GeminiName, options.Value.StuckPendingHours);
            await CancelAtGoogleAsync(job, ct);
            return new EconomyReport(0, 0, 0, await EndAndPromoteAsync(job, state.State.ToName(), PromotionReasons.JobStuckPending, ct));
        }

        await store.SawStateAsync(job.Id, state.State.ToName(), now, ct);
        return new EconomyReport(0, 0, 0, 0);
    }

    private async Task<EconomyReport> ReadResultsAsync(OpenJob job, BatchJob state, CancellationToken ct)
    {
        var reads = await store.BeginReadAsync(job.Id, clock.GetUtcNow(), ct);
        if (state.ResponsesFile is null || reads > options.Value.MaxResultReads)
        {
            logger.LogError("Economy job {JobId} ({GeminiName}) succeeded but its results could not be read ({Reads} tries); its unfinished generations are promoted",
                job.Id, job.GeminiName, reads - 1);
            return new EconomyReport(0, 0, 0, await EndAndPromoteAsync(job, "SUCCEEDED", PromotionReasons.NoResult, ct));
        }

        var report = new EconomyReport(0, 0, 0, 0);
        try
        {
            await using var stream = await batch.OpenResultsAsync(state.ResponsesFile, ct);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                // A line cut mid-way (a download that broke off) does not parse: the whole read is tried again.
                var result = JsonSerializer.Deserialize<BatchResultLine>(line, GeminiJson.Options);
                if (!Guid.TryParse(result?.Key, out var id))
                {
                    logger.LogWarning("Economy job {JobId}: a results line without a generation key was skipped", job.Id);
                    continue;
                }

                report += await ApplyAsync(job, id, result!, ct);
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or JsonException
                                          || exception is GeminiBatchException { Final: false })
        {
            // Lines already applied stay applied (their claims are fenced): the next read skips them.
            logger.LogWarning(exception, "Economy job {JobId} ({GeminiName}): reading its results broke off (try {Reads} of {MaxReads}); read again at the next sweep",
                job.Id, job.GeminiName, reads, options.Value.MaxResultReads);
            await store.ReadBrokeAsync(job.Id, clock.GetUtcNow(), ct);
            return report;
        }

        // Read to the end: a generation the file had no line for runs in the standard lane.
        var leftover = await EndAndPromoteAsync(job, "SUCCEEDED", PromotionReasons.NoResult, ct);
        logger.LogInformation("Economy job {JobId} ({GeminiName}) read: {Completed} completed, {Failed} failed, {Promoted} promoted",
            job.Id, job.GeminiName, report.Completed, report.Failed, report.Promoted + leftover);
        return report with { Promoted = report.Promoted + leftover };
    }

    private async Task<EconomyReport> ApplyAsync(OpenJob job, Guid id, BatchResultLine result, CancellationToken ct)
    {
        var settings = options.Value;
        if (await store.ClaimResultAsync(id, job.Id, clock.GetUtcNow(), settings.Lease, ct) is not { } claimed)
        {
            return new EconomyReport(0, 0, 0, 0); // completed by an earlier read, cancelled, deleted or promoted
        }

        var outcome = result.Response is { } response
            ? GeminiResponseClassifier.Classify(response)
            : GeminiOutcome.Failed(GeminiErrorClassifier.Classify(
                (HttpStatusCode)(result.Error?.Code is >= 400 and < 600 ? result.Error.Code.Value : 500), new ErrorResponse(result.Error), null, job.Model));

        if (outcome.Failure is not { } failure)
        {
            return await CompleteAsync(claimed, outcome, ct) ? new EconomyReport(1, 0, 0, 0) : new EconomyReport(0, 0, 0, 0);
        }

        if (failure.Transient)
        {
            // The batch has no retry of its own; the standard lane's worker has, within its budget.
            var moved = await store.PromoteClaimedAsync(claimed, PromotionReasons.TransientError, clock.GetUtcNow(), ct);
            if (moved)
            {
                await promoted.SendAsync([claimed.Id], PromotionReasons.TransientError, ct);
            }

            return new EconomyReport(0, 0, 0, moved ? 1 : 0);
        }

        if (!await worker.FailAsync(claimed, new GenerationError(failure.Code, failure.Message, failure.UserMayRetry), clock.GetUtcNow(), ct))
        {
            return new EconomyReport(0, 0, 0, 0);
        }

        metrics.Failed(failure.Code);
        logger.LogWarning("Generation {GenerationId} failed {ErrorCode} in economy job {JobId}", claimed.Id, failure.Code, job.Id);
        return new EconomyReport(0, 1, 0, 0);
    }

    // As the worker completes: images under the claim's attempt, then the fenced write; a refused write deletes them.
    private async Task<bool> CompleteAsync(Generation claimed, GeminiOutcome outcome, CancellationToken ct)
    {
        var stored = new List<StoredImage>(outcome.Images.Count);
        for (var i = 0; i < outcome.Images.Count; i++)
        {
            var image = outcome.Images[i];
            stored.Add(await images.UploadAsync(BlobNames.Output(claimed.Id, claimed.Attempt, i), BinaryData.FromBytes(image.Data), image.MimeType, ct));
        }

        var now = clock.GetUtcNow();
        if (await worker.CompleteAsync(claimed, stored, outcome.Text, JsonSerializer.Serialize(outcome.Usage), now, ct))
        {
            metrics.Completed(now - claimed.CreatedAt);
            logger.LogInformation("Generation {GenerationId} completed in the economy lane on attempt {Attempt} with {ImageCount} image(s)",
                claimed.Id, claimed.Attempt, stored.Count);
            return true;
        }

        await images.DeleteAsync(stored.Select(s => s.BlobName), ct);
        return false;
    }

    private async Task<int> EndAndPromoteAsync(OpenJob job, string state, string reason, CancellationToken ct)
    {
        var ids = await store.PromoteJobAsync(job.Id, reason, refund: false, clock.GetUtcNow(), ct);
        await store.EndJobAsync(job.Id, state, clock.GetUtcNow(), ct);
        await promoted.SendAsync(ids, reason, ct);
        return ids.Count;
    }

    private async Task CancelAtGoogleAsync(OpenJob job, CancellationToken ct)
    {
        try
        {
            await batch.CancelJobAsync(job.GeminiName, ct);
        }
        catch (Exception exception) when (exception is GeminiBatchException or HttpRequestException or IOException)
        {
            logger.LogWarning(exception, "Economy job {JobId} ({GeminiName}): the cancel at Google failed (best effort)", job.Id, job.GeminiName);
        }
    }
}

/// <summary>What a run of the follower did: generations completed, failed, and promoted to the standard lane (Submitted is the batcher's).</summary>
public sealed record EconomyReport(int Completed, int Failed, int Submitted, int Promoted)
{
    public static EconomyReport operator +(EconomyReport a, EconomyReport b) => a.Add(b);

    public EconomyReport Add(EconomyReport other) =>
        new(Completed + other.Completed, Failed + other.Failed, Submitted + other.Submitted, Promoted + other.Promoted);
}
