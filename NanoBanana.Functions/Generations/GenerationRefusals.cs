using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// A request the generation service refuses, for a reason the caller can act on. These are domain
/// outcomes: the edge (Api/ProblemMapper) decides what each one looks like over HTTP.
/// </summary>
public abstract class GenerationRefusedException(string message) : Exception(message);

/// <summary>The caller has no generation with this id (someone else's is indistinguishable from a missing one).</summary>
public sealed class GenerationNotFoundException() : GenerationRefusedException("No such generation for this caller.");

/// <summary>Only failed or cancelled generations can be queued again.</summary>
public sealed class GenerationNotRetryableException(GenerationStatus status)
    : GenerationRefusedException($"A {status.ToName()} generation cannot be retried.")
{
    public GenerationStatus Status { get; } = status;
}

/// <summary>Only pending or processing generations can be cancelled.</summary>
public sealed class GenerationNotCancellableException(GenerationStatus status)
    : GenerationRefusedException($"A {status.ToName()} generation cannot be cancelled.")
{
    public GenerationStatus Status { get; } = status;
}

/// <summary>The Idempotency-Key was first used for a different request.</summary>
public sealed class IdempotencyKeyReusedException() : GenerationRefusedException("The idempotency key belongs to another request.");

/// <summary>One of the caller's limits (<see cref="LimitsOptions"/>) is reached.</summary>
public sealed class LimitExceededException(LimitExceeded limit) : GenerationRefusedException($"{limit.Kind} limit of {limit.Limit} reached.")
{
    public LimitExceeded Limit { get; } = limit;
}

/// <summary>The service has no Gemini key of its own, and the caller sent none.</summary>
public sealed class GeminiKeyRequiredException() : GenerationRefusedException("A personal Gemini key is required.");

/// <summary>The caller sent a personal Gemini key that this deployment cannot use; <see cref="Reason"/> says why.</summary>
public sealed class PersonalKeyNotSupportedException(string reason) : GenerationRefusedException($"Personal Gemini keys are not accepted: {reason}.")
{
    public string Reason { get; } = reason;
}

/// <summary>The personal Gemini key is not shaped like one (a paste error); it is never echoed.</summary>
public sealed class InvalidPersonalKeyException() : GenerationRefusedException("The personal Gemini key is malformed.");
