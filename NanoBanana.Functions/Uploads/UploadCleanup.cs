using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// Part of the daily cleanup: uploads no generation refers to (never used, or whose generations were
/// deleted) go once older than Uploads__UnusedRetentionMinutes, row first, then blob. A blob whose
/// delete fails is retried by nothing: its row is gone, so log it; the URL that wrote it has long expired.
/// </summary>
public sealed class UploadCleanup(UploadStore store, UploadSas sas, IOptions<UploadOptions> options, TimeProvider clock, ILogger<UploadCleanup> logger)
{
    public async Task<int> RunAsync(int batchSize, DateTimeOffset deadline, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - options.Value.UnusedRetention;
        var deleted = 0;
        while (true)
        {
            var ids = await store.DeleteUnusedBeforeAsync(cutoff, batchSize, ct);
            foreach (var id in ids)
            {
                try
                {
                    await sas.Container.DeleteBlobIfExistsAsync(UploadNames.Blob(id), cancellationToken: ct);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Blob of unused upload {UploadId} not deleted", id);
                }
            }

            deleted += ids.Count;
            if (ids.Count < batchSize || clock.GetUtcNow() >= deadline)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            logger.LogInformation("Cleanup deleted {Uploads} unused uploads created before {Cutoff:u}", deleted, cutoff);
        }

        return deleted;
    }
}
