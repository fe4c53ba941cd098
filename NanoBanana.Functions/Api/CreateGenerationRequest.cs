using System.Text.Json.Serialization;

using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>The body of POST /generations, as sent; <see cref="CreateGenerationValidator"/> decides if it is acceptable.</summary>
/// <remarks>Unknown members are refused by name (a typo is not silently ignored), by <see cref="RequestShape"/> before deserializing.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class CreateGenerationRequest
{
    public string? Prompt { get; set; }

    public List<ImageRequest?>? Images { get; set; }

    public string? AspectRatio { get; set; }

    public string? Resolution { get; set; }

    public string? Model { get; set; }

    /// <summary>Where to POST the generation when it ends (signed, Standard Webhooks).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Which endings to deliver: completed, failed, cancelled (default all three).</summary>
    public List<string?>? WebhookEvents { get; set; }

    /// <summary>
    /// The most the generation may take, from now: not started by then, it is expired with no call made;
    /// still running, it is stopped (cancelled). Same as the Cancel-After header.
    /// </summary>
    public int? DeadlineSeconds { get; set; }

    /// <summary>standard (default: the queue, now) or economy (Gemini's Batch API at half price, done by maxWaitHours).</summary>
    public string? Speed { get; set; }

    /// <summary>Economy only: the latest finish, in hours from now (default and cap are settings).</summary>
    public int? MaxWaitHours { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ImageRequest
{
    public string? MimeType { get; set; }

    /// <summary>Base64; System.Text.Json decodes it straight from the UTF-8 body.</summary>
    public byte[]? Data { get; set; }

    /// <summary>Instead of mimeType and data: an upload of the caller's (POST /uploads) whose bytes are in Blob Storage.</summary>
    public Guid? UploadId { get; set; }
}
