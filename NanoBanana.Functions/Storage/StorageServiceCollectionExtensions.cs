using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Section)
            .Validate(_ => new StorageConnection(configuration).IsConfigured,
                $"Set {StorageConnection.SettingName}: the storage account connection string (UseDevelopmentStorage=true for Azurite).");
        services.AddSingleton(new StorageConnection(configuration));

        // One client per service, with the short retries a request that a phone waits on wants.
        services.AddSingleton(sp =>
        {
            var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
            ConfigureRetry(clientOptions.Retry, sp.GetRequiredService<IOptions<StorageOptions>>().Value);
            return sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient(clientOptions);
        });
        services.AddSingleton(sp =>
        {
            var clientOptions = new BlobClientOptions();
            ConfigureRetry(clientOptions.Retry, sp.GetRequiredService<IOptions<StorageOptions>>().Value);
            return sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient(clientOptions);
        });
        services.AddSingleton(sp => new GenerationQueue(
            sp.GetRequiredService<QueueServiceClient>().GetQueueClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.QueueName)));
        services.AddSingleton(sp => new ImageStore(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ImageContainer)));
        services.AddHostedService<StorageProvisioner>();
        return services;
    }

    private static void ConfigureRetry(RetryOptions retry, StorageOptions options)
    {
        retry.MaxRetries = options.MaxRetries;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.NetworkTimeout = TimeSpan.FromSeconds(options.NetworkTimeoutSeconds);
    }
}
