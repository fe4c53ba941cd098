using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Storage;

/// <summary>
/// Creates every queue a trigger reads (<see cref="AppQueues.All"/>) and the image container when the app
/// starts. The host's queue listeners poll their queues from the moment the worker reports its functions,
/// and a listener on a queue that does not exist yet (a poison queue, until a message is first poisoned)
/// logs "404 The specified queue does not exist" on every poll. So this runs in
/// <see cref="StartingAsync"/>, which the .NET host awaits before any hosted service's StartAsync, the
/// Functions worker's gRPC connection among them. infra/data/storage.bicep creates the same names in Azure.
/// A storage outage does not stop start-up: the time is bounded, what failed is logged, and each queue
/// and the container are still created on first use (<see cref="CreatedOnFirstUse"/>).
/// </summary>
internal sealed class StorageProvisioner(
    QueueServiceClient queues, BlobServiceClient blobs, IOptions<StorageOptions> options, ILogger<StorageProvisioner> logger)
    : IHostedLifecycleService
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    /// <summary>The queue names and the container this app needs, as configured.</summary>
    public IReadOnlyList<string> QueueNames => AppQueues.All(options.Value.QueueName);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        try
        {
            await Task.WhenAll(QueueNames.Select(name => (Task)queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: budget.Token))
                .Append(blobs.GetBlobContainerClient(options.Value.ImageContainer).CreateIfNotExistsAsync(cancellationToken: budget.Token)));
            logger.LogInformation("Storage ready: queues {Queues}, container {Container}", QueueNames, options.Value.ImageContainer);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Not fatal: they are created on first write. Until then the host may log 404s for its listeners.
            logger.LogWarning("Could not create the queues {Queues} and container {Container} at start-up ({Reason}); they will be created on first use",
                QueueNames, options.Value.ImageContainer, exception.Message);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
