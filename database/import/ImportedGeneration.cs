using NanoBanana.Functions.Generations;

namespace NanoBanana.Import;

/// <summary>An original generation as NanoBanana stores it, its images already in Blob Storage.</summary>
internal sealed record ImportedGeneration(
    Guid Id,
    string OwnerId,
    GenerationStatus Status,
    string Prompt,
    GenerationOptions Options,
    IReadOnlyList<StoredImage> InputImages,
    IReadOnlyList<StoredImage> ResultImages,
    int Attempt,
    int RetryCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset CompletedAt,
    GenerationError? Error,
    string? ResultMetadataJson);
