using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    [Range(1, 100_000)]
    public int MaxPromptLength { get; set; } = 10_000;

    /// <summary>Input images per generation; Gemini takes at most 3.</summary>
    [Range(0, 3)]
    public int MaxImages { get; set; } = 3;

    /// <summary>Decoded bytes per input image; Gemini's inline limit is 7 MB.</summary>
    [Range(1, 7 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 7 * 1024 * 1024;

    /// <summary>Whole request body, enforced while reading (3 base64 images of 7 MB plus the prompt fit).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 30 * 1024 * 1024;

    /// <summary>The poll hint (Retry-After, pollAfterSeconds) while a generation is not finished.</summary>
    [Range(1, 300)]
    public int PollAfterSeconds { get; set; } = 10;

    /// <summary>
    /// The longest a request may wait for a change (Prefer: wait=N, RFC 7240): well under the platform's
    /// 230 s HTTP limit. 0 turns long-polling off (Prefer is then ignored, as the RFC allows).
    /// </summary>
    [Range(0, 200)]
    public int MaxWaitSeconds { get; set; } = 50;

    [Range(1, 100)]
    public int DefaultPageSize { get; set; } = 20;

    [Range(1, 100)]
    public int MaxPageSize { get; set; } = 100;
}
