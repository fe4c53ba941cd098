using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// What one large result costs the worker in managed memory: a generation whose Gemini answer carries
/// an image of the given size goes through the real worker (the response parsed, the image uploaded to
/// Azurite, the row completed) in this process, after a small one has warmed every path. Counted:
/// bytes allocated during that delivery (an upper bound on its peak), and the largest growth of the
/// managed heap seen by a sampler meanwhile.
/// </summary>
internal static class WorkerMemory
{
    public static async Task<MemoryResult> MeasureAsync(int megabytes)
    {
        var image = new byte[megabytes * 1024 * 1024];
        Random.Shared.NextBytes(image);
        TestImages.Png.AsSpan(0, 8).CopyTo(image); // the PNG signature, as a real image starts
        var large = InstantGemini.Answer(image);
        var small = InstantGemini.Answer(TestImages.Png);

        await using var gemini = await FakeGemini.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartWithGeminiAsync(gemini, database: database, logging: _ => { });
        var token = TestTokens.For(TestTokens.NewUserId());

        gemini.Default = small;
        await app.DeliverUntilSettledAsync((await app.Api.CreateGenerationAsync(token)).Id);

        gemini.Default = large;
        var id = (await app.Api.CreateGenerationAsync(token)).Id;
        var (allocated, peakGrowth) = await HeapMeter.MeasureAsync(() => app.DeliverUntilSettledAsync(id));

        var (status, _, _) = await app.RowAsync(id);
        if (status != "completed")
        {
            throw new InvalidOperationException($"The {megabytes} MB generation ended {status}.");
        }

        return new MemoryResult(image.Length, allocated, peakGrowth);
    }
}

/// <summary>A large image through the worker: its size, the bytes allocated meanwhile, and the managed heap's largest growth.</summary>
public sealed record MemoryResult(long ImageBytes, long AllocatedBytes, long PeakHeapGrowthBytes)
{
    public double AllocatedRatio => (double)AllocatedBytes / ImageBytes;

    public double PeakRatio => (double)PeakHeapGrowthBytes / ImageBytes;
}
