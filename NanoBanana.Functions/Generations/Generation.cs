using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Secrets;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// A generation as stored: the request, where processing stands, and the result's metadata.
/// <see cref="Attempt"/> counts every claim ever (the fencing token); <see cref="RunAttempt"/> counts
/// claims since the owner last queued it, which is what the attempt limit bounds.
/// </summary>
public sealed record Generation(
    Guid Id,
    string OwnerId,
    GenerationStatus Status,
    string Prompt,
    GenerationOptions Options,
    IReadOnlyList<StoredImage> InputImages,
    int Attempt,
    int RunAttempt,
    int RetryCount,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EnqueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    GenerationError? Error,
    IReadOnlyList<StoredImage> Images,
    string? Text,
    byte[]? RequestHash,
    SealedSecret? ApiKey)
{
    /// <summary>Paid Gemini calls over all its runs (a call Google certainly did no work for is given back).</summary>
    public int PaidCalls { get; init; }

    /// <summary>On a cancelled or expired generation: whether its run had made a paid call (null otherwise).</summary>
    public CancelOutcome? CancelOutcome { get; init; }

    /// <summary>The caller's deadline for this run, if any: no worker starts it later, and one still at work stops.</summary>
    public DateTimeOffset? DeadlineAt { get; init; }

    /// <summary>Interim images the model drew while it thought (streamed calls of Gemini 3 image models), oldest first; not the result.</summary>
    public IReadOnlyList<StoredImage> Drafts { get; init; } = [];

    /// <summary>Where it runs now: the queue and the worker, or Gemini's Batch API (a promoted generation is standard again).</summary>
    public GenerationLane Lane { get; init; } = GenerationLane.Standard;

    /// <summary>Asked for in the economy lane: the latest finish it was promised (now + maxWaitHours at create).</summary>
    public DateTimeOffset? PromisedBy { get; init; }

    /// <summary>Asked for in the economy lane and moved to the standard lane (at full price): when and why.</summary>
    public GenerationPromotion? Promotion { get; init; }

    /// <summary>The economy batch job it was put in, if any.</summary>
    public Guid? EconomyJobId { get; init; }

    /// <summary>Runs in the Batch API at its price: asked for economy and not promoted.</summary>
    public bool AtBatchPrice => Lane == GenerationLane.Economy;

    /// <summary>
    /// How many reference images it was given: <see cref="InputImages"/>' count, except for a generation read for a
    /// list, which reads the count alone (Data/GenerationRow.ListedColumns) and has no <see cref="InputImages"/>.
    /// </summary>
    public int InputImageCount { get; init; } = InputImages.Count;

    /// <summary>What a conditional poll is judged on (<see cref="GenerationVersion"/>); a message not yet sent queues from the creation.</summary>
    public GenerationVersion CurrentVersion => new(Version, Status, EnqueuedAt ?? CreatedAt);
}

/// <summary>
/// What decides a conditional poll: the version (the ETag; every status change bumps it), the
/// status (whether to say when to poll again) and, for a pending one, when it joined the queue (its
/// place, which the ETag also names). Read without the rest of the row.
/// </summary>
public readonly record struct GenerationVersion(long Version, GenerationStatus Status, DateTimeOffset QueuedAt);

/// <summary>
/// What the caller asked of the model beyond the prompt (null: the model's default), and whether the
/// current run bills the caller's own Gemini key (<paramref name="PersonalKey"/> true; null: the server's key).
/// The key itself is erased when the generation ends; this mark stays.
/// </summary>
public sealed record GenerationOptions(string? AspectRatio, string? Resolution, string? Model, bool? PersonalKey = null);

/// <summary>
/// An image kept in Blob Storage: its blob name, real content type and size. <paramref name="UploadId"/> marks a
/// reference the phone uploaded itself: the blob is in the uploads container (Uploads/), not the image container.
/// </summary>
public sealed record StoredImage(string BlobName, string MimeType, long Bytes, Guid? UploadId = null);

/// <summary>Why a generation failed: a stable code to switch on and a sentence a user can read.</summary>
public sealed record GenerationError(string Code, string Message, bool Retryable);
