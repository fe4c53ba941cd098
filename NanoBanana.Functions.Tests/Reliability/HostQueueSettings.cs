using System.Globalization;
using System.Text.Json;
using NanoBanana.Functions.Tests.Hosting;

using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>The queue trigger's settings, read from the host.json the app ships (as the host reads them).</summary>
internal sealed record HostQueueSettings(int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval)
{
    public static HostQueueSettings FromHostJson()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsOutput.Directory, "host.json")));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
        return new HostQueueSettings(
            queues.GetProperty("batchSize").GetInt32(),
            queues.GetProperty("newBatchThreshold").GetInt32(),
            queues.GetProperty("maxDequeueCount").GetInt32(),
            TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture),
            TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture));
    }
}
