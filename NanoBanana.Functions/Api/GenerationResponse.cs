using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Api;

/// <summary>A generation as the API shows it to its owner.</summary>
public sealed record GenerationResponse(
    Guid Id,
    string Status,
    string Prompt,
    GenerationOptionsResponse Options,
    int InputImageCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    double ElapsedSeconds,
    int Attempts,
    GenerationErrorResponse? Error,
    IReadOnlyList<GeneratedImageResponse> Images,
    string? Text,
    int? PollAfterSeconds,
    QueueResponse? Queue,
    decimal? EstimatedCostUsd,
    string BilledTo,
    int PaidCalls,
    string? CancelOutcome,
    DateTimeOffset? DeadlineAt,
    IReadOnlyList<GeneratedImageResponse> Drafts,
    DateTimeOffset ExpiresAt,
    string Lane,
    DateTimeOffset? PromisedBy,
    PromotionResponse? Promoted)
{
    /// <param name="expiresAt">When the daily cleanup deletes it (<see cref="Maintenance.MaintenanceOptions.ExpiresAt"/>).</param>
    public static GenerationResponse From(Generation generation, QueueEstimate? estimate, DateTimeOffset now, int pollAfterSeconds, DateTimeOffset expiresAt)
    {
        var end = generation.CompletedAt ?? now;
        return new GenerationResponse(
            generation.Id,
            generation.Status.ToName(),
            generation.Prompt,
            new GenerationOptionsResponse(generation.Options.AspectRatio, generation.Options.Resolution, generation.Options.Model),
            generation.InputImageCount,
            generation.CreatedAt,
            generation.StartedAt,
            generation.CompletedAt,
            Math.Round(Math.Max(0, (end - generation.CreatedAt).TotalSeconds), 1),
            generation.Attempt,
            generation.Error is { } error ? new GenerationErrorResponse(error.Code, error.Message, error.Retryable) : null,
            Links(generation.Images, index => ApiRoutes.Image(generation.Id, index)),
            generation.Text,
            generation.Status.IsTerminal() ? null : pollAfterSeconds,
            // An economy generation is not in the queue: its promise says when (the ETag still names the estimate, as every path computes it).
            estimate is null || generation.AtBatchPrice ? null : new QueueResponse(estimate.Ahead, estimate.EstimatedStartAt, estimate.EstimatedFinishAt),
            GenerationCost.EstimatedUsd(generation),
            generation.Options.PersonalKey == true ? "personalKey" : "server",
            generation.PaidCalls,
            generation.CancelOutcome?.ToName(),
            generation.DeadlineAt,
            Links(generation.Drafts, index => ApiRoutes.Draft(generation.Id, index)),
            expiresAt,
            generation.Lane.ToName(),
            generation.PromisedBy,
            generation.Promotion is { } promotion ? new PromotionResponse(promotion.At, promotion.Reason) : null);
    }

    private static List<GeneratedImageResponse> Links(IReadOnlyList<StoredImage> images, Func<int, string> url) =>
        [.. images.Select((image, index) => new GeneratedImageResponse(url(index), image.MimeType, image.Bytes))];
}

/// <summary>An economy generation moved to the standard lane (at full price) to keep its promise: when and why.</summary>
public sealed record PromotionResponse(DateTimeOffset At, string Reason);

public sealed record GenerationOptionsResponse(string? AspectRatio, string? Resolution, string? Model);

public sealed record GenerationErrorResponse(string Code, string Message, bool Retryable);

public sealed record GeneratedImageResponse(string Url, string MimeType, long Bytes);

/// <summary>While pending: how many generations go first, and when this one should start and finish.</summary>
public sealed record QueueResponse(int Ahead, DateTimeOffset EstimatedStartAt, DateTimeOffset EstimatedFinishAt);

public sealed record GenerationPageResponse(IReadOnlyList<GenerationResponse> Items, string? NextCursor);
