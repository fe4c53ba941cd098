using System.Globalization;
using Xunit.Abstractions;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// Every fault at once, on a fixed seed: N generations (NANOBANANA_SOAK_GENERATIONS, 500 by default)
/// against a misbehaving Gemini, duplicate deliveries, lost responses, cancels, two Postgres restarts,
/// an Azurite restart and two SIGKILLed worker processes. The summary lands in the test output and
/// in TestResults/soak.md; docs/RELIABILITY.md quotes the last one.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Soak_MixedFaults_EveryGenerationEnds_NothingTwice()
    {
        // Arrange
        var generations = int.Parse(Environment.GetEnvironmentVariable("NANOBANANA_SOAK_GENERATIONS") ?? "500", CultureInfo.InvariantCulture);
        var seed = int.Parse(Environment.GetEnvironmentVariable("NANOBANANA_SOAK_SEED") ?? "20261124", CultureInfo.InvariantCulture);
        await using var rig = await ReliabilityRig.StartAsync(new RigOptions
        {
            Name = "soak",
            Generations = generations,
            Seed = seed,
            GeminiWeights = GeminiFaultPlan.Soak,
            InProcessWorkers = 1,
            WorkerProcesses = 2,
            DuplicateMessageRate = 0.2,
            DroppedResponseRate = 0.1,
            CancelRate = 0.05,
            ImageRate = 0.05,
            CreateSpread = TimeSpan.FromSeconds(40),
            InfraFaults =
            [
                new(TimeSpan.FromSeconds(8), InfraFaultKind.PostgresFastRestart),
                new(TimeSpan.FromSeconds(14), InfraFaultKind.KillWorkerProcess),
                new(TimeSpan.FromSeconds(20), InfraFaultKind.AzuriteRestart),
                new(TimeSpan.FromSeconds(27), InfraFaultKind.PostgresImmediateRestart),
                new(TimeSpan.FromSeconds(33), InfraFaultKind.KillWorkerProcess),
            ],
        });

        // Act
        var report = await rig.RunAsync();

        // Assert
        var summary = report.ToMarkdown();
        output.WriteLine(summary);
        await report.WriteAsync("soak");
        Assert.True(report.Violations.Count == 0, summary);
        Assert.Equal(generations, report.Accepted);
    }
}
