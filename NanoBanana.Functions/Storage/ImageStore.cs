using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Storage;

/// <summary>Generation images in Blob Storage: inputs from the request, results from the model.</summary>
public sealed class ImageStore(BlobContainerClient container)
{
    private readonly CreatedOnFirstUse _container = new(ct => container.CreateIfNotExistsAsync(cancellationToken: ct));

    public async Task<StoredImage> UploadAsync(string blobName, BinaryData content, string mimeType, CancellationToken ct)
    {
        await _container.EnsureAsync(ct);
        // Overwrite: names are deterministic, so a retried upload replaces rather than leaks.
        await container.GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = mimeType },
        }, ct);
        return new StoredImage(blobName, mimeType, content.ToMemory().Length);
    }

    public async Task<BinaryData?> DownloadAsync(string blobName, CancellationToken ct)
    {
        try
        {
            return (await container.GetBlobClient(blobName).DownloadContentAsync(ct)).Value.Content;
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The blob's content as a stream (not buffered), with its ETag; null if absent.</summary>
    public async Task<(Stream Content, Azure.ETag ETag)?> OpenReadAsync(string blobName, CancellationToken ct)
    {
        try
        {
            var download = (await container.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: ct)).Value;
            return (download.Content, download.Details.ETag);
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(IEnumerable<string> blobNames, CancellationToken ct)
    {
        foreach (var name in blobNames)
        {
            await container.DeleteBlobIfExistsAsync(name, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);
        }
    }

    public async Task<List<string>> ListAsync(string prefix, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, ct))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>
    /// One page of the container's listing, from <paramref name="continuation"/> (null: the start): the
    /// names last written before <paramref name="olderThan"/>, and where the next page starts (null: the end).
    /// </summary>
    public async Task<(List<string> Names, string? Next)> ListPageOlderThanAsync(
        DateTimeOffset olderThan, string? continuation, int pageSize, CancellationToken ct)
    {
        if (continuation is null && !(await container.ExistsAsync(ct)).Value)
        {
            return ([], null);
        }

        await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions(), ct).AsPages(continuation, pageSize))
        {
            var names = page.Values.Where(b => b.Properties.LastModified < olderThan).Select(b => b.Name).ToList();
            return (names, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }

        return ([], null);
    }

    /// <summary>Deletes every blob of a generation; absent blobs are not an error.</summary>
    public async Task DeleteGenerationAsync(Guid generationId, CancellationToken ct)
    {
        await DeleteAsync(await ListAsync(BlobNames.Prefix(generationId), ct), ct);
    }

    /// <summary>Throws unless the blob service answers; the container itself may not exist yet.</summary>
    public async Task CheckAsync(CancellationToken ct) => await container.ExistsAsync(ct);
}
