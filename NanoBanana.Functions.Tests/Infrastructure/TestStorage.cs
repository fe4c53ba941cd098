using Azure.Storage.Queues;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Azurite (or a real account) must answer; otherwise the tests fail saying how to start it.</summary>
internal static class TestStorage
{
    private static readonly Lazy<Task> Reachable = new(CheckAsync);

    public static Task EnsureReachableAsync() => Reachable.Value;

    private static async Task CheckAsync()
    {
        var options = new QueueClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        try
        {
            await new QueueServiceClient(TestSettings.Storage, options).GetPropertiesAsync();
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException(
                $"Azure Storage (Azurite) is not reachable ({exception.Message}). " +
                "Start it with `scripts/services.sh start`, or point NANOBANANA_TEST_STORAGE at an account.", exception);
        }
    }
}
