using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Processing;

public sealed class ProcessingOptions : IValidatableObject
{
    public const string Section = "Processing";

    /// <summary>
    /// How long a claim holds a generation without a heartbeat. The worker renews it every
    /// <see cref="LeaseRenewalSeconds"/> for as long as it works, so this is not a bound on the work
    /// but on how soon a dead worker's generation is taken over (with the repair sweep's interval).
    /// </summary>
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 45;

    /// <summary>The heartbeat: how often a working claim renews its lease. Well below the lease, so a missed beat or two is survived.</summary>
    [Range(1, 1200)]
    public int LeaseRenewalSeconds { get; set; } = 15;

    /// <summary>
    /// Claims per run (a run starts when the owner creates or retries the generation): paid calls are
    /// bounded by Gemini__MaxCallsPerRun; this bounds the rest (rejections Google did no work for,
    /// shutdowns, crashes before the call). Below host.json maxDequeueCount, so the worker gives up
    /// with a reason before the queue gives up.
    /// </summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the next attempt when Google named none: this, doubled per attempt of the run, up to <see cref="MaxRetryDelaySeconds"/>.</summary>
    [Range(0, 3600)]
    public int RetryDelaySeconds { get; set; } = 5;

    /// <summary>The longest wait before the next attempt, including one Google asked for (RetryInfo.retryDelay, Retry-After).</summary>
    [Range(0, 3600)]
    public int MaxRetryDelaySeconds { get; set; } = 60;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan LeaseRenewal => TimeSpan.FromSeconds(LeaseRenewalSeconds);

    public TimeSpan MaxRetryDelay => TimeSpan.FromSeconds(MaxRetryDelaySeconds);

    /// <summary>The wait before the run's next attempt: what Google asked for, else the backoff doubling per attempt; never over the bound.</summary>
    public TimeSpan DelayBeforeNextAttempt(TimeSpan? requested, int runAttempt)
    {
        var delay = requested ?? TimeSpan.FromSeconds(RetryDelaySeconds * Math.Pow(2, Math.Max(0, runAttempt - 1)));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseRenewalSeconds * 3 > LeaseSeconds)
        {
            yield return new ValidationResult(
                "Processing__LeaseRenewalSeconds must be at most a third of Processing__LeaseSeconds, so a working claim survives two missed heartbeats.");
        }

        if (RetryDelaySeconds > MaxRetryDelaySeconds)
        {
            yield return new ValidationResult("Processing__RetryDelaySeconds must not exceed Processing__MaxRetryDelaySeconds.");
        }
    }
}
