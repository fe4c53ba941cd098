using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace NanoBanana.Functions.Tests.Benchmarks.Micro;

/// <summary>
/// BenchmarkDotNet over the hot units: <c>dotnet NanoBanana.Functions.Tests.dll micro [--tiny] [BenchmarkDotNet args]</c>
/// (scripts/bench.sh micro). In this process (no generated project to build), with allocations
/// counted. --tiny runs each benchmark once, for CI: it proves they still run, its times mean nothing.
/// </summary>
internal static class MicroCommand
{
    public static readonly Type[] Benchmarks =
        [typeof(TokenBenchmarks), typeof(RowReadBenchmarks), typeof(ResponseBenchmarks), typeof(GeminiParseBenchmarks), typeof(HostileBodyBenchmarks)];

    public static int Run(string[] args)
    {
        var tiny = args.Contains("--tiny");
        var job = (tiny ? Job.Dry : Job.ShortRun).WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance
            .AddJob(job)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "nanobanana-benchmarks"))
            // The test assembly is built Debug by dotnet test; --tiny only proves the benchmarks run.
            .WithOptions(tiny ? ConfigOptions.DisableOptimizationsValidator : ConfigOptions.Default);
        var summaries = BenchmarkSwitcher.FromTypes(Benchmarks).Run([.. args.Where(a => a != "--tiny"), .. args.Contains("--filter") ? [] : new[] { "--filter", "*" }], config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
