namespace NanoBanana.Functions.Generations;

/// <summary>A validated create request, ready to be stored and queued.</summary>
public sealed record NewGeneration(
    string Prompt,
    GenerationOptions Options,
    IReadOnlyList<InputImage> Images,
    string? IdempotencyKey,
    byte[] RequestHash,
    GenerationWebhook? Webhook = null,
    TimeSpan? Deadline = null,
    GenerationLane Lane = GenerationLane.Standard,
    TimeSpan? MaxWait = null);

/// <summary>Where the generation's endings are POSTed, and which of them (completed, failed, cancelled, expired).</summary>
public sealed record GenerationWebhook(Uri Url, IReadOnlyList<string> Events)
{
    public static readonly IReadOnlyList<string> AllEvents = ["completed", "failed", "cancelled", "expired"];
}

/// <summary>
/// An input image from the request, already decoded and sniffed; or, with <paramref name="UploadId"/>, a
/// reference uploaded to Blob Storage (no bytes here: its type and size are the upload's, checked at create,
/// its bytes sniffed by the worker).
/// </summary>
public sealed record InputImage(string MimeType, byte[] Data, Guid? UploadId = null, long UploadedBytes = 0);
