using System.Reflection;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>The Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64, referenced by the test project).</summary>
internal static class BicepCli
{
    public static string InfraDirectory { get; } = Path.Combine(TestSettings.RepositoryRoot, "infra");

    private static string Executable { get; } = typeof(BicepCli).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    public static Task<ProcessRunner.Result> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Executable), $"Bicep CLI not found at {Executable}: restore the test project (dotnet restore).");
        // No telemetry, no update checks: CI reaches only package registries.
        return ProcessRunner.RunAsync(Executable, arguments, new Dictionary<string, string?> { ["BICEP_TELEMETRY_ENABLED"] = "false" });
    }

    public static IReadOnlyList<string> TemplateFiles() =>
        Directory.GetFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
}
