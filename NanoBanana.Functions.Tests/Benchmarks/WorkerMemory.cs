using System.Globalization;
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
    /// <summary>
    /// <c>memory on|off [MB]</c>: one table row for the large result through the streamed call
    /// (Gemini__Drafts on, the default for models that draw drafts) or one generateContent call (off).
    /// scripts/bench.sh memory runs both, each in a process of its own: the first run in a process fills
    /// the shared array pool that a second would then borrow from, and would look the costlier.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var drafts = args is ["on", ..];
        var megabytes = args is [_, var size, ..] ? int.Parse(size, CultureInfo.InvariantCulture) : BenchOptions.Full.MemoryMegabytes;
        var result = await MeasureAsync(megabytes, drafts);
        var name = drafts ? "streamed, `streamGenerateContent?alt=sse` (`Gemini__Drafts` on)" : "one `generateContent` answer (`Gemini__Drafts` off)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| a {megabytes} MB result, {name} | {result.AllocatedBytes / 1024.0 / 1024:F1} MB ({result.AllocatedRatio:F2}x) | {result.PeakHeapGrowthBytes / 1024.0 / 1024:F1} MB ({result.PeakRatio:F2}x) |"));
        return 0;
    }

    public static async Task<MemoryResult> MeasureAsync(int megabytes, bool drafts = true)
    {
        var image = new byte[megabytes * 1024 * 1024];
        Random.Shared.NextBytes(image);
        TestImages.Png.AsSpan(0, 8).CopyTo(image); // the PNG signature, as a real image starts
        var large = InstantGemini.Answer(image);
        var small = InstantGemini.Answer(TestImages.Png);

        await using var gemini = await FakeGemini.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartWithGeminiAsync(
            gemini, settings => settings["Gemini:Drafts"] = drafts ? "true" : "false", database: database, logging: _ => { });
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
