namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// What one run of a generation (from its create or a retry by its owner) may use: claims by
/// workers (Processing__MaxAttempts) and paid Gemini calls (Gemini__MaxCallsPerRun). Past either,
/// the generation fails with its last real failure instead of trying again.
/// </summary>
/// <remarks>
/// One rule, read twice: <see cref="Allows"/> in C# (may a failed attempt try again?) and <see cref="WithinSql"/> in the
/// statements (may a worker claim the row, may a sweep requeue it?), each built from the same two columns and
/// parameters, and tested to agree on Postgres.
/// </remarks>
public sealed record RunLimits(int MaxAttempts, int MaxCalls)
{
    /// <summary>The run's counters, each bounded by its parameter: (column, parameter).</summary>
    private static readonly (string Column, string Parameter)[] Bounds = [("run_attempt", "max_attempts"), ("run_gemini_calls", "max_calls")];

    /// <summary>Claims and paid calls both below their limits: the run may go on. Parameters: @max_attempts, @max_calls.</summary>
    public static readonly string WithinSql = string.Join(" AND ", Bounds.Select(b => $"{b.Column} < @{b.Parameter}"));

    /// <summary>The negation of <see cref="WithinSql"/>: the run has used up its claims or its paid calls.</summary>
    public static readonly string AtALimitSql = $"NOT ({WithinSql})";

    /// <summary>Whether a run that has made <paramref name="runAttempts"/> claims and <paramref name="runPaidCalls"/> paid calls may go on.</summary>
    public bool Allows(int runAttempts, int runPaidCalls) => runAttempts < MaxAttempts && runPaidCalls < MaxCalls;
}
