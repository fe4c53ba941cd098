using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// At start-up, as <see cref="Storage.StorageProvisioner"/> does for the queues: creates the uploads
/// container, and on Azurite sets the blob service's CORS so a page on another origin may PUT blocks
/// (in Azure infra/data/storage.bicep sets it; the app's identity may not change service properties).
/// Not fatal: the upload of a phone fails until storage answers, and the next start tries again.
/// </summary>
internal sealed class UploadProvisioner(BlobServiceClient blobs, IOptions<UploadOptions> options, ILogger<UploadProvisioner> logger)
    : IHostedLifecycleService
{
    private const string AzuriteAccount = "devstoreaccount1";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    /// <summary>What a browser's block upload sends: Put Block and Put Block List are PUTs with x-ms-* headers.</summary>
    internal static BlobCorsRule CorsRule(IEnumerable<string> origins) => new()
    {
        AllowedOrigins = string.Join(',', origins),
        AllowedMethods = "PUT,OPTIONS",
        AllowedHeaders = "content-type,content-length,x-ms-blob-type,x-ms-blob-content-type,x-ms-version,x-ms-date,x-ms-client-request-id",
        ExposedHeaders = "etag,x-ms-request-id,x-ms-version,x-ms-content-crc64,content-md5",
        MaxAgeInSeconds = 3600,
    };

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        try
        {
            await blobs.GetBlobContainerClient(options.Value.Container).CreateIfNotExistsAsync(cancellationToken: budget.Token);
            if (blobs.AccountName == AzuriteAccount)
            {
                var properties = (await blobs.GetPropertiesAsync(budget.Token)).Value;
                properties.Cors = [CorsRule(options.Value.CorsOrigins is { Length: > 0 } origins ? origins : ["*"])];
                await blobs.SetPropertiesAsync(properties, budget.Token);
            }

            logger.LogInformation("Uploads container {Container} ready", options.Value.Container);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not prepare the uploads container {Container} at start-up ({Reason})", options.Value.Container, exception.Message);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
