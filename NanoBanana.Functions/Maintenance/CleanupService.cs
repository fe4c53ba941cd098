using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Retention: deletes generations older than Maintenance__RetentionDays with their images, one small
/// batch per statement so polling and the worker never wait on it, until done or out of time.
/// Between batches it pauses (Maintenance__CleanupPauseMilliseconds): it has all night, and a
/// cleanup that deletes flat out takes its batches' CPU straight out of the polls' (PERFORMANCE.md).
/// </summary>
public sealed class CleanupService(
    MaintenanceRoleStore store,
    ImageStore images,
    Uploads.UploadCleanup uploads,
    EconomyStore economy,
    IOptions<MaintenanceOptions> options,
    TimeProvider clock,
    ILogger<CleanupService> logger)
{
    /// <param name="deadline">When to stop (between batches) and leave the rest to the next run.</param>
    public async Task<CleanupReport> RunAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var cutoff = settings.CleanupCutoff(now);
        int rows = 0, blobs = 0, batches = 0, blobFailures = 0;
        // The hourly limit looks back one hour; a day of log is plenty.
        await store.PruneCreationLogAsync(now - TimeSpan.FromDays(1), ct);

        while (true)
        {
            var deleted = await store.DeleteCreatedBeforeAsync(cutoff, settings.CleanupBatchSize, ct);
            batches++;
            rows += deleted.Count;
            foreach (var (id, names) in deleted.Where(d => d.BlobNames.Count > 0))
            {
                try
                {
                    await images.DeleteAsync(names, ct);
                    blobs += names.Count;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The row is gone; the orphan sweep removes what is left.
                    blobFailures++;
                    logger.LogWarning(exception, "Blobs of expired generation {GenerationId} not deleted; the orphan sweep will", id);
                }
            }

            if (deleted.Count < settings.CleanupBatchSize)
            {
                break;
            }

            if (clock.GetUtcNow() >= deadline)
            {
                logger.LogWarning("Cleanup stopped at its deadline after {Rows} generations with more to delete; the next run continues", rows);
                return new CleanupReport(cutoff, rows, blobs, batches, blobFailures, Finished: false);
            }

            await PauseAsync(settings.CleanupPause, deadline, ct);
        }

        logger.LogInformation("Cleanup deleted {Rows} generations created before {Cutoff:u} and {Blobs} blobs in {Batches} batches",
            rows, cutoff, blobs, batches);
        // After the generations: an upload only their rows referred to is unused from now on.
        var deletedUploads = await uploads.RunAsync(settings.CleanupBatchSize, deadline, ct);
        // And the economy lane's batch jobs whose generations are gone (a job is kept as long as one of them).
        var deletedJobs = await economy.DeleteEndedJobsAsync(cutoff, settings.CleanupBatchSize, ct);
        if (deletedJobs > 0)
        {
            logger.LogInformation("Cleanup deleted {Jobs} economy batch jobs ended before {Cutoff:u}", deletedJobs, cutoff);
        }

        return new CleanupReport(cutoff, rows, blobs, batches, blobFailures, Finished: true, deletedUploads);
    }

    // Clipped to the deadline, so the pause never costs the run a batch it had time for.
    private async Task PauseAsync(TimeSpan pause, DateTimeOffset deadline, CancellationToken ct)
    {
        var left = deadline - clock.GetUtcNow();
        var wait = pause < left ? pause : left;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, ct);
        }
    }
}

/// <param name="DeletedUploads">Uploads no generation referred to, older than Uploads__UnusedRetentionMinutes (row and blob).</param>
public sealed record CleanupReport(DateTimeOffset Cutoff, int DeletedGenerations, int DeletedBlobs, int Batches, int BlobFailures, bool Finished, int DeletedUploads = 0);
