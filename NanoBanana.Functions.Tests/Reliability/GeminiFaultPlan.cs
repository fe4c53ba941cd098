using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// How the fake Gemini misbehaves: each request draws a reply kind from weights with a seeded
/// random, so a run can be replayed. Records what it did, per kind and per prompt.
/// </summary>
internal sealed class GeminiFaultPlan(int seed, IReadOnlyDictionary<string, int> weights)
{
    public static readonly IReadOnlyDictionary<string, int> Soak = new Dictionary<string, int>
    {
        ["ok"] = 55, ["429 retryDelay"] = 10, ["500"] = 6, ["503"] = 6, ["slower than timeout"] = 4, ["reset mid-body"] = 5,
        ["truncated JSON"] = 4, ["HTML error page"] = 4, ["20 MB image"] = 1, ["IMAGE_SAFETY"] = 5,
    };

    /// <summary>Replies Google gives before starting any work: they cost nothing (every other reply may have been paid).</summary>
    private static readonly HashSet<string> Refusals = ["429 retryDelay", "503"];

    private readonly Random _random = new(seed);
    private readonly object _gate = new();

    public ConcurrentDictionary<string, int> Injected { get; } = new();

    /// <summary>Every image returned, by prompt: a completed generation must hold one of its own.</summary>
    public ConcurrentDictionary<string, ConcurrentBag<byte[]>> ImagesReturned { get; } = new();

    public ConcurrentDictionary<string, int> RequestsByPrompt { get; } = new();

    /// <summary>Requests Google may have started work for (and billed), by prompt: what the call budget bounds.</summary>
    public ConcurrentDictionary<string, int> PaidRequestsByPrompt { get; } = new();

    public async Task ReplyAsync(HttpContext context)
    {
        var prompt = ((RecordedRequest)context.Items[typeof(RecordedRequest)]!).Prompt;
        RequestsByPrompt.AddOrUpdate(prompt, 1, (_, n) => n + 1);
        var (kind, salt) = Draw();
        Injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        if (!Refusals.Contains(kind))
        {
            PaidRequestsByPrompt.AddOrUpdate(prompt, 1, (_, n) => n + 1);
        }

        var reply = kind switch
        {
            "ok" => GeminiReplies.Image(Image(prompt, salt, 0)),
            "slow ok" => GeminiReplies.Delayed(TimeSpan.FromSeconds(1.5), GeminiReplies.Image(Image(prompt, salt, 0))),
            "20 s ok" => GeminiReplies.Delayed(TimeSpan.FromSeconds(20), GeminiReplies.Image(Image(prompt, salt, 0))),
            "429 retryDelay" => GeminiReplies.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
                GeminiReplies.QuotaFailure("GenerateRequestsPerMinutePerProjectPerModel"), GeminiReplies.RetryInfo("0.2s")),
            "500" => GeminiReplies.Error(500, "INTERNAL", "An internal error has occurred."),
            "503" => GeminiReplies.Error(503, "UNAVAILABLE", "The model is overloaded."),
            "slower than timeout" => GeminiReplies.Delayed(TimeSpan.FromSeconds(30), GeminiReplies.Image(Image(prompt, salt, 0))),
            "reset mid-body" => GeminiReplies.ResetMidBody(),
            "truncated JSON" => GeminiReplies.Json(200, """{"candidates":[{"content":{"parts":[{"text":"cut"""),
            "HTML error page" => GeminiReplies.Html(502),
            "20 MB image" => GeminiReplies.LargeImage(Image(prompt, salt, 20 * 1024 * 1024)),
            "IMAGE_SAFETY" => GeminiReplies.FinishReason("IMAGE_SAFETY"),
            _ => throw new InvalidOperationException(kind),
        };
        await reply(context);
    }

    private (string Kind, long Salt) Draw()
    {
        lock (_gate)
        {
            var roll = _random.Next(weights.Values.Sum());
            foreach (var (kind, weight) in weights)
            {
                if ((roll -= weight) < 0)
                {
                    return (kind, _random.NextInt64());
                }
            }

            throw new InvalidOperationException("weights");
        }
    }

    // A PNG unique to this reply, so the stored result can be traced to the reply it came from.
    private byte[] Image(string prompt, long salt, int size)
    {
        var image = new byte[Math.Max(size, TestImages.Png.Length + 8)];
        TestImages.Png.CopyTo(image, 0);
        BitConverter.TryWriteBytes(image.AsSpan(TestImages.Png.Length), salt);
        ImagesReturned.GetOrAdd(prompt, _ => []).Add(image);
        return image;
    }
}
