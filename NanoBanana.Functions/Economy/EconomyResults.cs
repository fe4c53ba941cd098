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
/// A succeeded job's results file, read as a stream, line by line: each line's generation is claimed (also one a
/// crashed reader claimed before), its images stored as the worker stores them and the generation completed, or
/// failed with the worker's classification of the error, through the worker's own fenced statements. A line whose
/// error may clear is promoted instead (the batch has no retry); a read that breaks off is tried again at the next
/// sweep, up to Economy__MaxResultReads; read to the end, what had no line is promoted, unless a line's row is
/// still claimed by another reader (one that died holding it): then the file is read again when that claim runs out.
/// </summary>
public sealed class EconomyResults(
    EconomyStore store,
    MaintenanceRoleStore worker,
    GeminiBatchClient batch,
    ImageStore images,
    PromotedGenerations promoted,
    GenerationMetrics metrics,
    IOptions<EconomyOptions> options,
    TimeProvider clock,
    ILogger<EconomyResults> logger)
{
    public async Task<EconomyReport> ReadAsync(OpenJob job, BatchJob state, CancellationToken ct)
    {
        var reads = await store.BeginReadAsync(job.Id, clock.GetUtcNow(), ct);
        if (state.ResponsesFile is null || reads > options.Value.MaxResultReads)
        {
            logger.LogError("Economy job {JobId} ({GeminiName}) succeeded but its results could not be read ({Reads} tries); its unfinished generations are promoted",
                job.Id, job.GeminiName, reads - 1);
            return new EconomyReport(0, 0, 0, await promoted.EndJobAsync(job.Id, "SUCCEEDED", PromotionReasons.NoResult, ct));
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

        // A line another reader claimed and has not completed (it may have died holding it, its lease running): the
        // job stays open and is read again when that claim runs out, so the row is completed from this file.
        if (await store.ClaimsHeldUntilAsync(job.Id, clock.GetUtcNow(), ct) is { } heldUntil)
        {
            logger.LogWarning("Economy job {JobId} ({GeminiName}) read, but a result of it is claimed by another reader until {HeldUntil}; read again then",
                job.Id, job.GeminiName, heldUntil);
            await store.ReadAgainAtAsync(job.Id, heldUntil, clock.GetUtcNow(), ct);
            return report;
        }

        // Read to the end: a generation the file had no line for runs in the standard lane.
        var leftover = await promoted.EndJobAsync(job.Id, "SUCCEEDED", PromotionReasons.NoResult, ct);
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
}
