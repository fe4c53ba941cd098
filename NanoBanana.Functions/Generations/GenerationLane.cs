namespace NanoBanana.Functions.Generations;

/// <summary>How a generation is run: now, through the queue (standard), or later and at half price, through Gemini's Batch API (economy).</summary>
public enum GenerationLane
{
    Standard,
    Economy,
}

/// <summary>An economy generation moved to the standard lane to keep its promise: when, and why (<see cref="PromotionReasons"/>).</summary>
public sealed record GenerationPromotion(DateTimeOffset At, string Reason);

public static class GenerationLanes
{
    /// <summary>The name used in the database and the API (the create's <c>speed</c> takes the same two).</summary>
    public static string ToName(this GenerationLane lane) => lane switch
    {
        GenerationLane.Standard => "standard",
        GenerationLane.Economy => "economy",
        _ => throw new ArgumentOutOfRangeException(nameof(lane), lane, null),
    };

    public static GenerationLane Parse(string name) => name switch
    {
        "standard" => GenerationLane.Standard,
        "economy" => GenerationLane.Economy,
        _ => throw new FormatException($"Unknown lane '{name}'."),
    };

    public static GenerationLane? TryParse(string? name) => name switch
    {
        "standard" => GenerationLane.Standard,
        "economy" => GenerationLane.Economy,
        _ => null,
    };
}

/// <summary>Why an economy generation was promoted to the standard lane. Stable: clients may show or switch on them.</summary>
public static class PromotionReasons
{
    /// <summary>Its promised finish was near and no result had come.</summary>
    public const string PromiseDue = "promise_due";

    /// <summary>Google ended its batch job as expired (48 h without a result).</summary>
    public const string JobExpired = "job_expired";

    /// <summary>Google ended its batch job as failed.</summary>
    public const string JobFailed = "job_failed";

    /// <summary>Its batch job was cancelled (not by this generation's owner).</summary>
    public const string JobCancelled = "job_cancelled";

    /// <summary>Its batch job stayed pending at Google past Economy__StuckPendingHours.</summary>
    public const string JobStuckPending = "job_stuck_pending";

    /// <summary>The job succeeded but its results file had no line for it, or could not be read after Economy__MaxResultReads tries.</summary>
    public const string NoResult = "no_result";

    /// <summary>Its line in the results file was an error that may clear on another try (the batch has no retry of its own).</summary>
    public const string TransientError = "transient_error";

    /// <summary>The batch job could not be submitted (Google refused the file or the job).</summary>
    public const string SubmitFailed = "submit_failed";
}
