using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;

using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// Signs URLs for one upload blob: write-only (create + write, which Put Block and Put Block List need;
/// no read, list or delete) for the phone, read-only for Gemini. With a connection string the account
/// key signs (Azurite, or an account reached by key); with an identity-based connection a user
/// delegation key from the app's identity signs, so no account key is needed or exists in the app.
/// Start and expiry come from <see cref="TimeProvider"/>: the storage service, not the app, refuses an expired URL.
/// </summary>
public sealed class UploadSas(BlobServiceClient blobs, IOptions<UploadOptions> options, TimeProvider clock) : IDisposable
{
    // A phone's clock or the service's may run a little behind ours.
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private UserDelegationKey? _delegationKey;

    public BlobContainerClient Container => blobs.GetBlobContainerClient(options.Value.Container);

    /// <summary>A URL the holder may write exactly this blob with, until <c>ExpiresAt</c>.</summary>
    public Task<(Uri Url, DateTimeOffset ExpiresAt)> WriteUrlAsync(Guid uploadId, CancellationToken ct) =>
        SignAsync(uploadId, BlobSasPermissions.Create | BlobSasPermissions.Write, options.Value.UrlLifetime, ct);

    /// <summary>A URL the holder may only read this blob with (what Gemini fetches a fileData reference from).</summary>
    public Task<(Uri Url, DateTimeOffset ExpiresAt)> ReadUrlAsync(Guid uploadId, CancellationToken ct) =>
        SignAsync(uploadId, BlobSasPermissions.Read, options.Value.ReadUrlLifetime, ct);

    private async Task<(Uri Url, DateTimeOffset ExpiresAt)> SignAsync(Guid uploadId, BlobSasPermissions permissions, TimeSpan lifetime, CancellationToken ct)
    {
        var blob = Container.GetBlobClient(UploadNames.Blob(uploadId));
        var now = clock.GetUtcNow();
        var expiresAt = now + lifetime;
        var sas = new BlobSasBuilder
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now - Skew,
            ExpiresOn = expiresAt,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        sas.SetPermissions(permissions);
        if (blob.CanGenerateSasUri)
        {
            return (blob.GenerateSasUri(sas), expiresAt);
        }

        var key = await DelegationKeyAsync(expiresAt, ct);
        var uri = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, blobs.AccountName) };
        return (uri.ToUri(), expiresAt);
    }

    // One key serves many URLs: it is asked for a day at a time and renewed once it would end before a URL does.
    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset neededUntil, CancellationToken ct)
    {
        await _keyLock.WaitAsync(ct);
        try
        {
            if (_delegationKey is not { } key || key.SignedExpiresOn < neededUntil)
            {
                var now = clock.GetUtcNow();
                key = (await blobs.GetUserDelegationKeyAsync(now - Skew, now + TimeSpan.FromDays(1), ct)).Value;
                _delegationKey = key;
            }

            return key;
        }
        finally
        {
            _keyLock.Release();
        }
    }

    public void Dispose() => _keyLock.Dispose();
}
