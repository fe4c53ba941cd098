using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>
/// Folders as layers (issue 22 item 5): which folder of the app uses which, read from the compiled assembly
/// (<see cref="FolderGraph"/>). Hosting is the composition root: it uses every folder and none may use it. The one
/// cycle left is pinned to the folders it holds today, so it can shrink and never grow; a new cycle fails.
/// </summary>
public sealed class FolderLayerTests(ITestOutputHelper output)
{
    /// <summary>The folders still in one cycle (mostly through Api's problems and Generations' stores): shrink this list.</summary>
    private static readonly string[] StillCyclic =
        ["Api", "Auth", "Data", "Economy", "Gemini", "Generations", "Maintenance", "Realtime", "Storage", "Telemetry", "Uploads", "Webhooks"];

    private static readonly FolderGraph App = FolderGraph.Of(typeof(GenerationService).Assembly.Location, "NanoBanana.Functions");

    [Fact]
    public void NoFolder_UsesTheCompositionRoot()
    {
        var users = App.Uses.Where(folder => folder.Value.Contains("Hosting")).Select(folder => folder.Key).Order().ToList();

        Assert.True(users.Count == 0, $"Hosting composes the app; these folders use it: {string.Join(", ", users)}");
        Assert.Contains("Processing", App.Uses["Hosting"]); // the reader sees the root's own uses
    }

    [Fact]
    public void TheFolderCycle_DoesNotGrow()
    {
        var cycles = App.Cycles();
        foreach (var cycle in cycles)
        {
            output.WriteLine($"cycle: {string.Join(", ", cycle)}");
            foreach (var folder in cycle)
            {
                output.WriteLine($"  {folder} -> {string.Join(", ", App.Uses[folder].Where(cycle.Contains).Order())}");
            }
        }

        var cyclic = cycles.SelectMany(cycle => cycle).ToHashSet();
        Assert.True(cycles.Count <= 1, $"a new folder cycle: {string.Join(" | ", cycles.Select(c => string.Join(", ", c)))}");
        Assert.True(cyclic.IsSubsetOf(StillCyclic), $"joined the cycle: {string.Join(", ", cyclic.Except(StillCyclic).Order())}");
    }

    [Fact]
    public void TheReader_FindsACycleHiddenInALambda_AndNotAOneWayUse()
    {
        var canary = FolderGraph.Of(typeof(FolderLayerTests).Assembly.Location, "NanoBanana.Functions.Tests.Unit.FolderCanary");

        var cycle = Assert.Single(canary.Cycles());

        Assert.Equal(["Lower", "Upper"], cycle);
        Assert.Equal(["Upper"], canary.Uses["Apart"]);
    }
}
