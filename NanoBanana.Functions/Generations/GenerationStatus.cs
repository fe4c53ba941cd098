namespace NanoBanana.Functions.Generations;

/// <summary>
/// Where a generation stands. Every change from one to another, who makes it and what fences it,
/// is in one place: Data/GenerationTransitions.
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

public static class GenerationStatusExtensions
{
    /// <summary>The lower-case name used in the database, the API and the logs.</summary>
    public static string ToName(this GenerationStatus status) => status switch
    {
        GenerationStatus.Pending => "pending",
        GenerationStatus.Processing => "processing",
        GenerationStatus.Completed => "completed",
        GenerationStatus.Failed => "failed",
        GenerationStatus.Cancelled => "cancelled",
        GenerationStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? name, out GenerationStatus status)
    {
        // Every row read parses one: a switch, not a scan of Enum.GetValues (an array per call).
        GenerationStatus? parsed = name switch
        {
            "pending" => GenerationStatus.Pending,
            "processing" => GenerationStatus.Processing,
            "completed" => GenerationStatus.Completed,
            "failed" => GenerationStatus.Failed,
            "cancelled" => GenerationStatus.Cancelled,
            "expired" => GenerationStatus.Expired,
            _ => null,
        };
        status = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    public static GenerationStatus Parse(string name) =>
        TryParse(name, out var status) ? status : throw new FormatException($"Unknown generation status '{name}'.");

    public static bool IsTerminal(this GenerationStatus status) =>
        status is GenerationStatus.Completed or GenerationStatus.Failed or GenerationStatus.Cancelled or GenerationStatus.Expired;

    /// <summary>What the owner may run again (a new run): an ending without a result.</summary>
    public static bool IsRetryable(this GenerationStatus status) =>
        status is GenerationStatus.Failed or GenerationStatus.Cancelled or GenerationStatus.Expired;

    /// <summary>An ending that stopped the generation before its result: it says what was billed (<see cref="CancelOutcome"/>).</summary>
    public static bool IsStopped(this GenerationStatus status) =>
        status is GenerationStatus.Cancelled or GenerationStatus.Expired;
}
