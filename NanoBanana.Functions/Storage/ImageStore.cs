using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Storage;

/// <summary>Generation images in Blob Storage: inputs from the request, results from the model.</summary>
public sealed class ImageStore(BlobContainerClient container)
{
    private volatile bool _exists;

    public async Task<StoredImage> UploadAsync(string blobName, BinaryData content, string mimeType, CancellationToken ct)
    {
        await EnsureExistsAsync(ct);
        // Overwrite: names are deterministic, so a retried upload replaces rather than leaks.
        await container.GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = mimeType },
        }, ct);
        return new StoredImage(blobName, mimeType, content.ToMemory().Length);
    }

    /// <summary>Deletes every blob of a generation; absent blobs are not an error.</summary>
    public async Task DeleteGenerationAsync(Guid generationId, CancellationToken ct)
    {
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = BlobNames.Prefix(generationId) }, ct))
        {
            await container.DeleteBlobIfExistsAsync(blob.Name, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);
        }
    }

    /// <summary>Throws unless the blob service answers; the container itself may not exist yet.</summary>
    public async Task CheckAsync(CancellationToken ct) => await container.ExistsAsync(ct);

    private async Task EnsureExistsAsync(CancellationToken ct)
    {
        if (_exists)
        {
            return;
        }

        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        _exists = true;
    }
}
