namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// What a generation that was stopped before its result (cancelled or expired) cost: decided by the
/// ending statement itself from the run's paid calls (GenerationTransitions, migration 015).
/// </summary>
public enum CancelOutcome
{
    /// <summary>No paid Gemini call of its run had started: nothing is billed.</summary>
    BeforeCall,

    /// <summary>A paid call had started (in flight, or done and retried): Google may bill it.</summary>
    AfterCall,
}

public static class CancelOutcomes
{
    /// <summary>The snake_case name used in the database, the API and the event log.</summary>
    public static string ToName(this CancelOutcome outcome) => outcome switch
    {
        CancelOutcome.BeforeCall => "before_call",
        CancelOutcome.AfterCall => "after_call",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static CancelOutcome? Parse(string? name) => name switch
    {
        null => null,
        "before_call" => CancelOutcome.BeforeCall,
        "after_call" => CancelOutcome.AfterCall,
        _ => throw new FormatException($"Unknown cancel outcome '{name}'."),
    };
}
