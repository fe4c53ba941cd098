namespace NanoBanana.Functions.Generations;

public enum LimitKind
{
    ActiveGenerations,
    CreationsPerHour,
    PaidCallsPerHour,
}

/// <summary>
/// Which of a user's limits stopped a request, its size, and when trying again can succeed
/// (null: when one of the user's active generations finishes).
/// </summary>
public sealed record LimitExceeded(LimitKind Kind, int Limit, TimeSpan? RetryAfter);
