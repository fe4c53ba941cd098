using System.Text.Json;
using BenchmarkDotNet.Attributes;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Wire;

using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Benchmarks.Micro;

/// <summary>
/// Gemini's answer with an image, read and classified: from the stream directly (System.Text.Json
/// keeps the base64 token in one array that doubles as it grows) or buffered first into pooled
/// segments (<see cref="BufferedJson"/>, what the worker does).
/// </summary>
[MemoryDiagnoser]
public class GeminiParseBenchmarks
{
    private byte[] _body = null!;

    [Params(1, 20)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var image = new byte[Megabytes * 1024 * 1024];
        Random.Shared.NextBytes(image);
        TestImages.Png.AsSpan(0, 8).CopyTo(image); // the PNG signature: only real image types are kept
        _body = InstantGemini.Body(image);
    }

    [Benchmark(Baseline = true)]
    public async Task<GeminiOutcome> FromStream() =>
        GeminiResponseClassifier.Classify((await JsonSerializer.DeserializeAsync<GenerateContentResponse>(new MemoryStream(_body), GeminiJson.Options))!);

    [Benchmark]
    public async Task<GeminiOutcome> Buffered() =>
        GeminiResponseClassifier.Classify((await BufferedJson.DeserializeAsync<GenerateContentResponse>(new MemoryStream(_body), GeminiJson.Options, CancellationToken.None))!);
}
