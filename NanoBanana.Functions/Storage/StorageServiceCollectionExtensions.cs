using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Section)
            .Validate(_ => new StorageConnection(configuration).IsConfigured,
                $"Set {StorageConnection.SettingName}: the storage account connection string (UseDevelopmentStorage=true for Azurite).");
        services.AddSingleton(new StorageConnection(configuration));

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
            ConfigureRetry(clientOptions.Retry, options);
            var client = sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient(clientOptions);
            return new GenerationQueue(client.GetQueueClient(options.QueueName));
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = new BlobClientOptions();
            ConfigureRetry(clientOptions.Retry, options);
            var client = sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient(clientOptions);
            return new ImageStore(client.GetBlobContainerClient(options.ImageContainer));
        });
        return services;
    }

    private static void ConfigureRetry(RetryOptions retry, StorageOptions options)
    {
        retry.MaxRetries = options.MaxRetries;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.NetworkTimeout = TimeSpan.FromSeconds(options.NetworkTimeoutSeconds);
    }
}
