using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace NanoBanana.Functions.Storage;

/// <summary>
/// Builds storage clients from the AzureWebJobsStorage setting, read the way the Functions host reads
/// it: a connection string, or identity-based (AzureWebJobsStorage__accountName, or
/// __queueServiceUri/__blobServiceUri) with a managed identity. The trigger and this code thus
/// always talk to the same account.
/// </summary>
internal sealed class StorageConnection(IConfiguration configuration)
{
    public const string SettingName = "AzureWebJobsStorage";

    private IConfigurationSection Section => configuration.GetSection(SettingName);

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Section.Value) || Section["accountName"] is not null
        || Section["queueServiceUri"] is not null || Section["blobServiceUri"] is not null;

    public QueueServiceClient CreateQueueServiceClient(QueueClientOptions options) =>
        Section.Value is { Length: > 0 } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(ServiceUri("queue"), Credential(), options);

    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions options) =>
        Section.Value is { Length: > 0 } connectionString
            ? new BlobServiceClient(connectionString, options)
            : new BlobServiceClient(ServiceUri("blob"), Credential(), options);

    private Uri ServiceUri(string service) =>
        Section[$"{service}ServiceUri"] is { } uri
            ? new Uri(uri)
            : Section["accountName"] is { } account
                ? new Uri($"https://{account}.{service}.core.windows.net")
                : throw new InvalidOperationException($"Set {SettingName} (a connection string) or {SettingName}__accountName.");

    private TokenCredential Credential() =>
        Section["clientId"] is { } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
}
