using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Processing;

public sealed class ProcessingOptions : IValidatableObject
{
    public const string Section = "Processing";

    [Description("How long a claim holds its generation without a heartbeat: not a bound on the work (the worker renews it while it works) but on how soon a dead worker's generation is taken over, with the repair sweep's interval ([RELIABILITY.md](RELIABILITY.md)).")]
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 45;

    [Description("The heartbeat: how often a working claim renews its lease (one fenced `UPDATE`). At most a third of the lease, so two missed beats are survived.")]
    [Range(1, 1200)]
    public int LeaseRenewalSeconds { get; set; } = 15;

    [Description("Claims per run: paid calls are bounded by `Gemini__MaxCallsPerRun`, this bounds the rest (refusals, host shutdowns, crashes before the call). Below host.json `maxDequeueCount` (checked at start), so the worker ends a generation with its reason before the queue poisons the message.")]
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    [Description("The wait before a run's next attempt after transient trouble when Google named none: this, doubled per attempt of the run.")]
    [Range(0, 3600)]
    public int RetryDelaySeconds { get; set; } = 5;

    [Description("The longest wait before a run's next attempt, one Google asked for (`retryDelay`, `Retry-After`) included.")]
    [Range(0, 3600)]
    public int MaxRetryDelaySeconds { get; set; } = 60;

    [Description("Each instance holds one direct session (`Postgres__ListenConnectionString`, else `Postgres__ConnectionString`) with a session advisory lock per claim, so a dead worker is noticed in seconds, not when its lease runs out; while that session is down the instance takes no new work. `false` for a deployment that reaches Postgres only through PgBouncer: claims then rest on the lease alone.")]
    public bool LivenessSession { get; set; } = true;

    [Description("While the liveness session is down, a delivery is handed on unclaimed: its message is sent again, visible after this many seconds, for an instance that is up (or this one, reconnected); doubled per consecutive hand-on of the same generation on this instance, up to `Processing__NotLiveMaxDeferSeconds`.")]
    [Range(1, 300)]
    public int NotLiveDeferSeconds { get; set; } = 5;

    [Description("The longest a handed-on message waits while the liveness session stays down, so a long outage costs each waiting generation about one send a minute, not a flood.")]
    [Range(1, 3600)]
    public int NotLiveMaxDeferSeconds { get; set; } = 60;

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

        if (NotLiveDeferSeconds > NotLiveMaxDeferSeconds)
        {
            yield return new ValidationResult("Processing__NotLiveDeferSeconds must not exceed Processing__NotLiveMaxDeferSeconds.");
        }

        if (RetryDelaySeconds > MaxRetryDelaySeconds)
        {
            yield return new ValidationResult("Processing__RetryDelaySeconds must not exceed Processing__MaxRetryDelaySeconds.");
        }
    }
}
