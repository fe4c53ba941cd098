namespace NanoBanana.Functions.Gemini;

/// <summary>One image generation call to Gemini (or its local stand-in), classified into an outcome.</summary>
public interface IGeminiClient
{
    /// <summary>Never throws for Gemini's answers (those are outcomes); throws only when <paramref name="ct"/> fires.</summary>
    Task<GeminiOutcome> GenerateAsync(GeminiRequest request, CancellationToken ct);
}

/// <summary>
/// What to ask the model. <paramref name="ApiKey"/> overrides the configured key (Developer API only).
/// <paramref name="OnDraft"/>, when given, receives each interim image the model draws while it thinks,
/// as it comes (the call is then streamed where the model draws them and Gemini__Drafts is on).
/// </summary>
public sealed record GeminiRequest(
    string Model,
    string Prompt,
    IReadOnlyList<GeminiImage> Images,
    string? AspectRatio,
    string? ImageSize,
    string? ApiKey = null,
    Func<GeminiImage, Task>? OnDraft = null)
{
    public override string ToString() => $"GeminiRequest {{ Model = {Model}, Images = {Images.Count} }}"; // never the key or the prompt
}

/// <summary>An image's bytes; or, with <paramref name="FileUri"/> (and no bytes), a signed URL Gemini fetches it from (fileData).</summary>
public sealed record GeminiImage(string MimeType, byte[] Data, Uri? FileUri = null);

/// <summary>Either images (and maybe text) or a classified failure.</summary>
public sealed record GeminiOutcome(
    IReadOnlyList<GeminiImage> Images,
    string? Text,
    GeminiUsage? Usage,
    GeminiFailure? Failure)
{
    public bool Succeeded => Failure is null;

    public static GeminiOutcome Success(IReadOnlyList<GeminiImage> images, string? text, GeminiUsage? usage) => new(images, text, usage, null);

    public static GeminiOutcome Failed(GeminiFailure failure) => new([], null, null, failure);
}

public sealed record GeminiUsage(string? ModelVersion, int? PromptTokens, int? OutputTokens, int? TotalTokens, string? ResponseId);
