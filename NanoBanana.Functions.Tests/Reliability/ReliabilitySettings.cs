namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// The app settings of every reliability run, shrunk from production so a run takes minutes, and
/// the bound on time-to-terminal they imply.
/// </summary>
internal static class ReliabilitySettings
{
    public const int GeminiAttemptTimeoutSeconds = 2;
    public const int GeminiTotalTimeoutSeconds = 5;
    public const int GeminiMaxRetries = 2;
    public const int LeaseSeconds = 15;
    public const int MaxAttempts = 3;
    public const int ResendPendingAfterSeconds = 45; // above host.json visibilityTimeout (30 s): a released claim's redelivery comes first
    public static readonly TimeSpan RepairInterval = TimeSpan.FromSeconds(1);

    /// <summary>Time an infrastructure outage may add (a restart, plus clients' and pools' recovery).</summary>
    public static readonly TimeSpan OutageAllowance = TimeSpan.FromSeconds(20);

    public static void Apply(Dictionary<string, string?> settings)
    {
        settings["Gemini:AttemptTimeoutSeconds"] = $"{GeminiAttemptTimeoutSeconds}";
        settings["Gemini:TotalTimeoutSeconds"] = $"{GeminiTotalTimeoutSeconds}";
        settings["Gemini:MaxRetries"] = $"{GeminiMaxRetries}";
        settings["Gemini:RetryBaseDelayMilliseconds"] = "50";
        settings["Gemini:RetryMaxDelaySeconds"] = "1";
        settings["Processing:LeaseSeconds"] = $"{LeaseSeconds}";
        settings["Processing:MaxAttempts"] = $"{MaxAttempts}";
        settings["Maintenance:ResendPendingAfterSeconds"] = $"{ResendPendingAfterSeconds}";
        settings["Storage:NetworkTimeoutSeconds"] = "3";
        settings["Storage:MaxRetries"] = "1";
        settings["Api:PollAfterSeconds"] = "1";
        settings["Postgres:ConnectionString"] += ";Timeout=5;Command Timeout=15";
    }

    /// <summary>
    /// The longest a generation may take to end: each of MaxAttempts attempts may lose its worker
    /// (waiting out the lease), or fail transiently (waiting out the queue's visibilityTimeout), after
    /// a full Gemini budget; a lost message waits for the resend threshold; plus an outage.
    /// </summary>
    public static TimeSpan Bound(HostQueueSettings queue) =>
        MaxAttempts * (TimeSpan.FromSeconds(LeaseSeconds) + queue.VisibilityTimeout + TimeSpan.FromSeconds(GeminiTotalTimeoutSeconds) + RepairInterval)
        + TimeSpan.FromSeconds(ResendPendingAfterSeconds) + OutageAllowance;

    /// <summary>HTTP requests Gemini may see for one generation: every attempt with all its retries.</summary>
    public const int MaxGeminiRequestsPerGeneration = MaxAttempts * (1 + GeminiMaxRetries);
}
