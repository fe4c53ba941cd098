namespace NanoBanana.Functions.Generations;

/// <summary>
/// What one run of a generation (from its create or a retry by its owner) may use: claims by
/// workers (Processing__MaxAttempts) and paid Gemini calls (Gemini__MaxCallsPerRun). Past either,
/// the generation fails with its last real failure instead of trying again.
/// </summary>
public sealed record RunLimits(int MaxAttempts, int MaxCalls);
