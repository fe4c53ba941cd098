using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Tests.Deployment;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// Every queue a trigger reads exists before the host listens on it: the host's listener on a missing queue
/// (a poison queue, until a message is first poisoned) logs a 404 warning on every poll. The names come from
/// the built functions.metadata, the file the host reads, resolved as the host resolves %settings%.
/// </summary>
public sealed class StorageProvisioningTests
{
    [Fact]
    public async Task StartUp_CreatesEveryQueueATriggerReads_AndTheirPoisonQueues_BeforeAnyHostedServiceStarts()
    {
        // Arrange: a fresh queue name and container on Azurite; a hosted service that looks at storage when it
        // starts, as the Functions worker's own hosted service connects to the host (whose listeners then poll).
        await TestStorage.EnsureReachableAsync();
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var queueName = $"provisioned-{suffix}";
        var container = $"provisioned-{suffix}";
        var expected = ReadOrPoisonedByATrigger(queueName);
        var probe = new StorageProbe(queueName, container);
        var settings = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = await TestDatabase.SharedConnectionStringAsync(),
            ["AzureWebJobsStorage"] = TestSettings.Storage,
            ["Storage:QueueName"] = queueName,
            ["Storage:ImageContainer"] = container,
            ["Auth:Mode"] = "Jwt",
            ["Auth:Issuer"] = TestTokens.Issuer,
            ["Auth:Audience"] = TestTokens.Audience,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Gemini:Backend"] = "Simulated",
            ["Maintenance:CleanupSchedule"] = "0 0 2 * * *",
            ["Maintenance:RepairSchedule"] = "0 */5 * * * *",
        };
        Assert.Empty(await probe.QueuesAsync());

        try
        {
            // Act
            using (var host = AppHost.Build(settings, configure: services => services.AddHostedService(_ => probe)))
            {
                await host.StartAsync();
                await host.StopAsync();
            }

            // Assert: the four triggers' queues and their poison queues, all there when the first StartAsync ran.
            Assert.Equal(4, TriggerQueues(queueName).Count);
            Assert.Equal(4, expected.Count);
            Assert.Superset(expected, probe.QueuesAtStart!.ToHashSet());
            Assert.True(probe.ContainerAtStart);
        }
        finally
        {
            foreach (var name in await probe.QueuesAsync())
            {
                await new QueueClient(TestSettings.Storage, name).DeleteIfExistsAsync();
            }

            await new BlobContainerClient(TestSettings.Storage, container).DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task Infra_CreatesTheSameQueues_AsTheAppAndItsTriggers()
    {
        // Arrange: Bicep evaluates the function storage.bicep creates its queues from.
        var folder = Directory.CreateTempSubdirectory("nanobanana-queues-");
        try
        {
            var module = Path.GetRelativePath(folder.FullName, Path.Combine(BicepCli.InfraDirectory, "data", "storage-names.bicep")).Replace('\\', '/');
            var file = Path.Combine(folder.FullName, "queues.bicepparam");
            await File.WriteAllTextAsync(file, $"using none\nimport {{ appQueueNames }} from '{module}'\nparam queues = appQueueNames('generations')\n");

            // Act
            var result = await BicepCli.RunAsync("build-params", file, "--stdout");

            // Assert
            Assert.True(result.ExitCode == 0, result.ToString());
            var parameters = JsonNode.Parse(JsonNode.Parse(result.Output)!["parametersJson"]!.GetValue<string>())!["parameters"]!;
            var created = parameters["queues"]!["value"]!.AsArray().Select(q => q!.GetValue<string>()).Order().ToList();
            Assert.Equal(AppQueues.All("generations").Order(), created);
            Assert.Superset(ReadOrPoisonedByATrigger("generations"), created.ToHashSet());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Each trigger's queue, and the poison queue the host moves its failed messages to (a poison queue's own poison queue is read by nobody).</summary>
    private static HashSet<string> ReadOrPoisonedByATrigger(string queueName) =>
        TriggerQueues(queueName)
            .SelectMany(name => name.EndsWith(AppQueues.PoisonSuffix, StringComparison.Ordinal) ? [name] : new[] { name, name + AppQueues.PoisonSuffix })
            .ToHashSet();

    /// <summary>The queue of every queue trigger in functions.metadata, its %Storage:QueueName% resolved.</summary>
    private static List<string> TriggerQueues(string queueName) =>
        FunctionsMetadataTests.Metadata()
            .SelectMany(function => function.GetProperty("bindings").EnumerateArray())
            .Where(binding => binding.GetProperty("type").GetString() == "queueTrigger")
            .Select(binding => binding.GetProperty("queueName").GetString()!.Replace("%Storage:QueueName%", queueName, StringComparison.Ordinal))
            .ToList();

    /// <summary>Records which of the app's queues and whether its container exist when the host starts it.</summary>
    private sealed class StorageProbe(string queuePrefix, string container) : IHostedService
    {
        public IReadOnlyList<string>? QueuesAtStart { get; private set; }

        public bool ContainerAtStart { get; private set; }

        public async Task<List<string>> QueuesAsync()
        {
            var names = new List<string>();
            await foreach (var queue in new QueueServiceClient(TestSettings.Storage).GetQueuesAsync(prefix: queuePrefix))
            {
                names.Add(queue.Name);
            }

            return names;
        }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            QueuesAtStart = await QueuesAsync();
            ContainerAtStart = await new BlobContainerClient(TestSettings.Storage, container).ExistsAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
