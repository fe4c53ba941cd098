namespace NanoBanana.Functions.Gemini.Batch;

/// <summary>A batch job's state, as the REST API (BATCH_STATE_*) and the SDKs (JOB_STATE_*) name it, without the prefix.</summary>
public enum BatchJobState
{
    Unknown,
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

public static class BatchJobStates
{
    public static BatchJobState Parse(string? wire)
    {
        var name = wire ?? "";
        foreach (var prefix in new[] { "BATCH_STATE_", "JOB_STATE_" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                name = name[prefix.Length..];
            }
        }

        return name switch
        {
            "PENDING" or "QUEUED" => BatchJobState.Pending,
            "RUNNING" => BatchJobState.Running,
            "SUCCEEDED" => BatchJobState.Succeeded,
            "FAILED" => BatchJobState.Failed,
            "CANCELLED" => BatchJobState.Cancelled,
            "EXPIRED" => BatchJobState.Expired,
            _ => BatchJobState.Unknown,
        };
    }

    public static string ToName(this BatchJobState state) => state.ToString().ToUpperInvariant();
}

/// <summary>A job as Google reports it: its name (batches/...), display name, state and, once succeeded, its results file.</summary>
public sealed record BatchJob(string Name, string? DisplayName, BatchJobState State, string? ResponsesFile);
