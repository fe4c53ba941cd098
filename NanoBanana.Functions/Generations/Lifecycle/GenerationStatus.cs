namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// Where a generation stands. Which statuses form which set is in <see cref="GenerationStatuses"/>; every change
/// from one to another, who makes it, what fences it and what the database does on entering it is in
/// <see cref="GenerationTransitions"/> (and <see cref="GenerationTriggers"/>).
/// </summary>
public enum GenerationStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,

    /// <summary>Its deadline passed before a worker started it (or while it waited to run again); no call was made for it then.</summary>
    Expired,
}
