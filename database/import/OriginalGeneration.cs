namespace NanoBanana.Import;

/// <summary>
/// A row of the original system's <c>generations</c> table (Express + Supabase): statuses
/// processing/completed/failed, the result as base64 in the row or as a URL, the user's Supabase id.
/// </summary>
internal sealed record OriginalGeneration(
    Guid Id,
    Guid UserId,
    string? Prompt,
    string? Resolution,
    string? AspectRatio,
    string? MainFaceImage,
    string? AdditionalImagesJson,
    string Status,
    string? ResultImageUrl,
    string? ResultBase64,
    string? ErrorMessage,
    string? GeminiMetadataJson,
    double? GenerationTimeSeconds,
    int RetryCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);
