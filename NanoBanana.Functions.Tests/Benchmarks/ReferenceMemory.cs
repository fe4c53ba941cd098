using System.Globalization;
using Azure.Storage.Blobs;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Uploads;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// What uploaded references cost the worker, with Gemini__InputsByUrl off (each downloaded and sent inline,
/// base64) and on (a few bytes sniffed, a SAS URL sent): 14 uploads of 7 MB, the most the catalog's models
/// take, through the real worker in this process, measured as <see cref="WorkerMemory"/> measures a large
/// result (bytes allocated during the delivery, largest managed-heap growth sampled). The fake Gemini drops
/// what it is sent and counts what it fetches (<see cref="FakeGemini.DropLargeBodies"/>), so its side adds
/// nothing; its answer is a 1 MB image. Run: <c>scripts/bench.sh references</c>.
/// </summary>
internal static class ReferenceMemory
{
    public const int References = 14;
    public const int ReferenceMegabytes = 7;
    public const int OutputMegabytes = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Contains("--tiny") ? 2 : References;
        var megabytes = args.Contains("--tiny") ? 1 : ReferenceMegabytes;
        var off = await MeasureAsync(byUrl: false, count, megabytes);
        var on = await MeasureAsync(byUrl: true, count, megabytes);
        Console.WriteLine($"| {count} x {megabytes} MB uploaded references, {OutputMegabytes} MB result | allocated during the delivery | largest managed-heap growth |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, result) in new[] { ("`Gemini__InputsByUrl` off (inline base64)", off), ("`Gemini__InputsByUrl` on (fileData, SAS URL)", on) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {result.AllocatedBytes / 1024.0 / 1024:F1} MB | {result.PeakHeapGrowthBytes / 1024.0 / 1024:F1} MB |"));
        }

        return 0;
    }

    public static async Task<MemoryResult> MeasureAsync(bool byUrl, int count, int megabytes)
    {
        var output = new byte[OutputMegabytes * 1024 * 1024];
        Random.Shared.NextBytes(output);
        TestImages.Png.AsSpan(0, 8).CopyTo(output);
        var container = $"uploads-{Guid.NewGuid():N}"[..20];

        await using var gemini = await FakeGemini.StartAsync();
        gemini.DropLargeBodies = true;
        gemini.Default = InstantGemini.Answer(output);
        await using var database = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartWithGeminiAsync(gemini, settings =>
        {
            settings["Uploads:Container"] = container;
            settings["Gemini:InputsByUrl"] = byUrl ? "true" : "false";
        }, database: database, logging: _ => { });
        try
        {
            var token = TestTokens.For(TestTokens.NewUserId());
            var small = await UploadTestClient.UploadAsync(app, token, "image/png", TestImages.Png);
            var warm = (await app.Api.CreateAsync(token, new { prompt = "warm", images = new[] { UploadTestClient.Image(small.Id) } })).Generation;
            await app.DeliverUntilSettledAsync(warm.Id);

            var reference = new byte[megabytes * 1024 * 1024];
            Random.Shared.NextBytes(reference);
            TestImages.Png.AsSpan(0, 8).CopyTo(reference);
            var images = new List<object>();
            for (var i = 0; i < count; i++)
            {
                images.Add(UploadTestClient.Image((await UploadTestClient.UploadAsync(app, token, "image/png", reference, blockSize: 4 * 1024 * 1024)).Id));
            }

            var id = (await app.Api.CreateAsync(token, new { prompt = "measured", images })).Generation.Id;
            reference = null;
            var (allocated, peakGrowth) = await HeapMeter.MeasureAsync(() => app.DeliverUntilSettledAsync(id));

            var (status, _, error) = await app.RowAsync(id);
            if (status != "completed")
            {
                throw new InvalidOperationException($"The measured generation ended {status} {error}.");
            }

            return new MemoryResult(output.Length, allocated, peakGrowth);
        }
        finally
        {
            await new BlobContainerClient(TestSettings.Storage, container).DeleteIfExistsAsync();
        }
    }
}
