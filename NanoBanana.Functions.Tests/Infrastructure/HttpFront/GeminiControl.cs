using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Gemini;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// <see cref="FakeGemini"/>'s answers, steered by a test over HTTP: a rule applies to calls whose prompt
/// contains its marker (hold the answer until released, end without an image, fail with a status);
/// every other call gets a distinct PNG. Each call's answer is kept, so a test can compare the bytes a
/// page shows or downloads with the bytes Gemini returned.
/// </summary>
internal sealed class GeminiControl
{
    private readonly ConcurrentDictionary<string, MarkerRule> _rules = new();
    private readonly ConcurrentQueue<GeminiCall> _calls = new();
    private int _sequence;

    public void SetRule(string marker, GeminiRule rule) => _rules[marker] = new MarkerRule(rule);

    /// <summary>Lets held calls answer, and later calls through.</summary>
    public void Release(string marker)
    {
        if (_rules.TryRemove(marker, out var rule))
        {
            rule.Gate.TrySetResult();
        }
    }

    public void ReleaseAll()
    {
        foreach (var marker in _rules.Keys)
        {
            Release(marker);
        }
    }

    // Inline parts with their decoded size; fileData parts as the URL Gemini fetched.
    private static List<object> References(RecordedRequest request) =>
        [.. request.Json.GetProperty("contents")[0].GetProperty("parts").EnumerateArray()
            .Where(p => p.TryGetProperty("inlineData", out _) || p.TryGetProperty("fileData", out _))
            .Select(p => p.TryGetProperty("inlineData", out var inline)
                ? (object)new { MimeType = inline.GetProperty("mimeType").GetString(), Bytes = inline.GetProperty("data").GetBytesFromBase64().Length }
                : new { MimeType = p.GetProperty("fileData").GetProperty("mimeType").GetString(), Bytes = -1 })];

    public IEnumerable<GeminiCall> Calls(string? marker) => _calls.Where(c => marker is null || c.Prompt.Contains(marker, StringComparison.Ordinal));

    public async Task ReplyAsync(HttpContext context)
    {
        var request = (RecordedRequest)context.Items[typeof(RecordedRequest)]!;
        var call = new GeminiCall(Interlocked.Increment(ref _sequence), request.Prompt)
        {
            Model = request.PathAndQuery.Split("/models/").Last().Split(':')[0],
            AspectRatio = ImageConfig(request, "aspectRatio"),
            ImageSize = ImageConfig(request, "imageSize"),
            References = References(request),
        };
        _calls.Enqueue(call);

        var rule = _rules.FirstOrDefault(r => call.Prompt.Contains(r.Key, StringComparison.Ordinal)).Value;
        var gemini = rule?.Take();
        if (rule is not null && gemini is { Draft: true } && request.PathAndQuery.Contains(":streamGenerateContent", StringComparison.Ordinal))
        {
            // A thinking model: a draft at once, then (held until released, if asked) the final image.
            var seed = Random.Shared.Next();
            var draft = TinyPng.Gradient(360, 640, (byte)(seed / 3), (byte)((seed >> 8) / 3), (byte)((seed >> 16) / 3));
            call.Image = TinyPng.Gradient(360, 640, (byte)seed, (byte)(seed >> 8), (byte)(seed >> 16));
            call.Outcome = gemini.Hold ? "held" : "image";
            try
            {
                await GeminiReplies.Thinking([draft], call.Image, gemini.Hold ? rule.Gate.Task : null)(context);
                call.Outcome = "image";
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                call.Outcome = "aborted";
            }

            return;
        }

        if (rule is not null && gemini is { Hold: true })
        {
            call.Outcome = "held";
            await Task.WhenAny(rule.Gate.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
            if (context.RequestAborted.IsCancellationRequested)
            {
                call.Outcome = "aborted"; // the worker gave up on the call (a cancel, a deadline)
                return;
            }
        }

        if (gemini?.FinishReason is { } reason)
        {
            call.Outcome = "finish:" + reason;
            await GeminiReplies.FinishReason(reason)(context);
        }
        else if (gemini?.Status is { } status)
        {
            call.Outcome = "error:" + status;
            await GeminiReplies.Error(status, "UNAVAILABLE", "The model is overloaded. Please try again later.")(context);
        }
        else
        {
            // A colour of its own per call, so two results never have the same bytes.
            var seed = Random.Shared.Next();
            call.Image = TinyPng.Gradient(360, 640, (byte)seed, (byte)(seed >> 8), (byte)(seed >> 16));
            call.Outcome = "image";
            await GeminiReplies.Image(call.Image)(context);
        }
    }

    private static string? ImageConfig(RecordedRequest request, string name) =>
        request.Json.GetProperty("generationConfig").TryGetProperty("imageConfig", out var config) && config.TryGetProperty(name, out var value)
            ? value.GetString()
            : null;

    /// <summary>A rule and the gate its held calls wait on; <see cref="GeminiRule.Times"/> counts down per call.</summary>
    private sealed class MarkerRule(GeminiRule rule)
    {
        private int _left = rule.Times ?? int.MaxValue;

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GeminiRule? Take() => Interlocked.Decrement(ref _left) >= 0 ? rule : null;
    }
}

/// <param name="Hold">Hold the answer until the marker is released.</param>
/// <param name="FinishReason">Answer 200 with no image and this finishReason (e.g. NO_IMAGE, IMAGE_SAFETY).</param>
/// <param name="Status">Answer this HTTP error status instead.</param>
/// <param name="Times">How many calls the rule applies to; all of them when absent.</param>
/// <param name="Draft">Answer as a thinking model streams: an interim (thought) image first, then the final one.</param>
internal sealed record GeminiRule(bool Hold = false, string? FinishReason = null, int? Status = null, int? Times = null, bool Draft = false);

internal sealed class GeminiCall(int sequence, string prompt)
{
    public int Sequence { get; } = sequence;

    public string Prompt { get; } = prompt;

    /// <summary>held, image, finish:REASON or error:STATUS.</summary>
    public string Outcome { get; set; } = "answering";

    public byte[]? Image { get; set; }

    /// <summary>What the worker asked for: the model of the URL, imageConfig's aspectRatio and imageSize.</summary>
    public string? Model { get; init; }

    public string? AspectRatio { get; init; }

    public string? ImageSize { get; init; }

    /// <summary>The reference images the worker sent (inline or by URL): their types and sizes.</summary>
    public IReadOnlyList<object> References { get; init; } = [];

    public object ToJson() => new { Sequence, Prompt, Outcome, MimeType = Image is null ? null : "image/png", Data = Image, Model, AspectRatio, ImageSize, References };
}
