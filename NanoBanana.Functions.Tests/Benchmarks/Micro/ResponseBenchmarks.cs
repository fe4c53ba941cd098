using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Http;
using Npgsql;

namespace NanoBanana.Functions.Tests.Benchmarks.Micro;

/// <summary>A completed generation answered to a poll: shaped, serialized and written (200), or only its headers (304).</summary>
[MemoryDiagnoser]
public class ResponseBenchmarks
{
    private readonly Generation _generation = new(
        Guid.CreateVersion7(), "bench-user", GenerationStatus.Completed, "a banana surfing a wave at sunset, photorealistic, golden light",
        new GenerationOptions("9:16", null, null), [], 1, 1, 0, 3, DateTimeOffset.UtcNow.AddSeconds(-9), DateTimeOffset.UtcNow.AddSeconds(-9),
        DateTimeOffset.UtcNow.AddSeconds(-8), DateTimeOffset.UtcNow, null,
        [new StoredImage("x/output-1-0", "image/png", 1_234_567)], "Here is your image", null, null);

    private IServiceProvider _services = null!;
    private GenerationResults _results = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddLogging().ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions)).BuildServiceProvider();
        // A completed generation has no queue estimate, so the estimator never reads its store.
        var queue = new QueueEstimator(new QueueStatsStore(NpgsqlDataSource.Create("Host=unused")), Options.Create(new QueueEstimateOptions()), TimeProvider.System);
        _results = new GenerationResults(Options.Create(new ApiOptions()), Options.Create(new NanoBanana.Functions.Maintenance.MaintenanceOptions()), queue, TimeProvider.System);
    }

    [Benchmark(Baseline = true)]
    public Task Ok() => Answer(null);

    [Benchmark]
    public Task NotModified() => Answer("W/\"3\"");

    private async Task Answer(string? ifNoneMatch)
    {
        var context = new DefaultHttpContext { RequestServices = _services, Response = { Body = Stream.Null } };
        if (ifNoneMatch is not null)
        {
            context.Request.Headers.IfNoneMatch = ifNoneMatch;
        }

        await (await _results.OkOrNotModifiedAsync(context.Request, _generation, CancellationToken.None)).ExecuteAsync(context);
    }
}
