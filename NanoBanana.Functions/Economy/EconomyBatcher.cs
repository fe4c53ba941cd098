using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Batch;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// Gathers waiting economy generations into Gemini batch jobs, one model per job, at most
/// Economy__MaxRequestsPerJob each, once a job is full or its oldest generation waited Economy__GatherMinutes.
/// Submitting is three steps at Google (upload the JSONL file, create the job) around two records here: the
/// intent first (the job row with its display name, its generations assigned and their paid call reserved, in
/// one statement), the job's name at Google last. A crash between them leaves a job "preparing": the next run
/// looks it up at Google by its display name before submitting anything again, so no job is paid for twice.
/// </summary>
public sealed class EconomyBatcher(
    EconomyStore store,
    GeminiBatchClient batch,
    PromotedGenerations promoted,
    IOptions<EconomyOptions> options,
    IOptions<GeminiOptions> gemini,
    TimeProvider clock,
    ILogger<EconomyBatcher> logger)
{
    /// <summary>Every job's display name at Google starts so; the rest is the job's id (economy_jobs.id).</summary>
    public const string DisplayNamePrefix = "nanobanana-economy-";

    private const int RecoveriesPerRun = 20;

    /// <returns>How many jobs this run submitted (or found at Google and recorded).</returns>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.Enabled || gemini.Value.Backend != GeminiBackend.Developer)
        {
            return 0;
        }

        var submitted = 0;
        foreach (var job in await store.TakeUnrecordedAsync(clock.GetUtcNow(), settings.Lease, RecoveriesPerRun, ct))
        {
            submitted += await RecoverAsync(job, ct) ? 1 : 0;
        }

        foreach (var (model, waiting, oldest) in await store.WaitingByModelAsync(ct))
        {
            var now = clock.GetUtcNow();
            if (waiting < settings.MaxRequestsPerJob && oldest > now - settings.GatherWait)
            {
                continue; // not full, and nobody has waited long enough
            }

            List<Guid> assigned;
            do
            {
                var id = Guid.CreateVersion7(now);
                var job = new UnrecordedJob(id, model, DisplayNamePrefix + id.ToString("N"), FileName: null);
                assigned = await store.AssignAsync(job.Id, model, job.DisplayName, now, settings.Lease, settings.MaxRequestsPerJob, ct);
                if (assigned.Count == 0)
                {
                    break;
                }

                logger.LogInformation("Economy job {JobId} for {Model}: {Count} generations assigned", job.Id, model, assigned.Count);
                submitted += await SubmitAsync(job, ct) ? 1 : 0;
            }
            while (assigned.Count == settings.MaxRequestsPerJob);
        }

        return submitted;
    }

    // A job whose submit was never recorded: it may exist at Google (the crash came after the create).
    private async Task<bool> RecoverAsync(UnrecordedJob job, CancellationToken ct)
    {
        try
        {
            if (await batch.FindJobAsync(job.DisplayName, options.Value.RecoveryListPages, ct) is { } found)
            {
                logger.LogWarning("Economy job {JobId} found at Google as {GeminiName} by its display name: recorded, not submitted again", job.Id, found.Name);
                return await store.RecordSubmittedAsync(job.Id, found.Name, found.State.ToName(), clock.GetUtcNow(), options.Value.Poll, ct);
            }
        }
        catch (Exception exception) when (exception is GeminiBatchException or HttpRequestException or IOException)
        {
            // Not knowing whether it exists, submitting again could pay twice: leave it for the next run.
            logger.LogWarning(exception, "Economy job {JobId}: Google's batch list could not be read; the job is looked up again at the next run", job.Id);
            return false;
        }

        logger.LogWarning("Economy job {JobId} was not submitted before its batcher stopped; submitting it now", job.Id);
        return await SubmitAsync(job, ct);
    }

    private async Task<bool> SubmitAsync(UnrecordedJob job, CancellationToken ct)
    {
        var requests = await store.JobRequestsAsync(job.Id, ct);
        if (requests.Count == 0)
        {
            // Every generation of it was cancelled (or promoted) before it went out: nothing to send, nothing billed.
            await store.EndJobAsync(job.Id, "NOT_SUBMITTED", clock.GetUtcNow(), ct);
            return false;
        }

        try
        {
            var file = job.FileName;
            if (file is null)
            {
                file = await batch.UploadJsonlAsync(job.DisplayName, BatchInputFile.Build(requests, job.Model, gemini.Value), ct);
                await store.RecordFileAsync(job.Id, file, clock.GetUtcNow(), ct);
            }

            var created = await batch.CreateJobAsync(job.Model, job.DisplayName, file, ct);
            var recorded = await store.RecordSubmittedAsync(job.Id, created.Name, created.State.ToName(), clock.GetUtcNow(), options.Value.Poll, ct);
            logger.LogInformation("Economy job {JobId} submitted as {GeminiName} with {Count} requests ({State})", job.Id, created.Name, requests.Count, created.State);
            return recorded;
        }
        catch (GeminiBatchException exception) when (exception.Final)
        {
            // Google refused the file or the job: it has no job, so the reserved calls are given back.
            logger.LogError(exception, "Economy job {JobId} refused by Google ({Status}); its generations go to the standard lane", job.Id, (int)exception.Status);
            var ids = await store.PromoteJobAsync(job.Id, PromotionReasons.SubmitFailed, refund: true, clock.GetUtcNow(), ct);
            await store.EndJobAsync(job.Id, "REFUSED", clock.GetUtcNow(), ct);
            await promoted.SendAsync(ids, PromotionReasons.SubmitFailed, ct);
            return false;
        }
        catch (Exception exception) when (exception is GeminiBatchException or HttpRequestException or IOException)
        {
            // The create may have reached Google even so: the job stays preparing, and after its hold the next
            // run looks it up by its display name first.
            logger.LogWarning(exception, "Economy job {JobId}: the submit did not complete; it is looked up at Google after {LeaseSeconds} s", job.Id, options.Value.LeaseSeconds);
            return false;
        }
    }
}
