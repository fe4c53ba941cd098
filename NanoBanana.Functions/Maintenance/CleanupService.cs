using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Retention: deletes generations older than Maintenance__RetentionDays with their images, one small
/// batch per statement so polling and the worker never wait on it, until done or out of time.
/// </summary>
public sealed class CleanupService(
    MaintenanceStore store,
    ImageStore images,
    IOptions<MaintenanceOptions> options,
    TimeProvider clock,
    ILogger<CleanupService> logger)
{
    public async Task<CleanupReport> RunAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var cutoff = clock.GetUtcNow() - settings.Retention;
        var started = clock.GetTimestamp();
        var budget = TimeSpan.FromMinutes(settings.CleanupMaxMinutes);
        int rows = 0, blobs = 0, batches = 0, blobFailures = 0;

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

            if (clock.GetElapsedTime(started) > budget)
            {
                logger.LogWarning("Cleanup stopped after {Minutes} minutes with more to delete; the next run continues", settings.CleanupMaxMinutes);
                var partial = new CleanupReport(cutoff, rows, blobs, batches, blobFailures, Finished: false);
                return partial;
            }
        }

        logger.LogInformation("Cleanup deleted {Rows} generations created before {Cutoff:u} and {Blobs} blobs in {Batches} batches",
            rows, cutoff, blobs, batches);
        return new CleanupReport(cutoff, rows, blobs, batches, blobFailures, Finished: true);
    }
}

public sealed record CleanupReport(DateTimeOffset Cutoff, int DeletedGenerations, int DeletedBlobs, int Batches, int BlobFailures, bool Finished);
