using System.Globalization;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Tests.Hosting;
using NCrontab;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// The settings that decide a reliability run's timing (how long a call, a lease, a wait may be; how
/// often the repair sweep runs) and the run's limits, with the bound on time-to-terminal they imply.
/// <see cref="Shrunk"/> makes a run take a minute; <see cref="Defaults"/> is what a deployment runs.
/// </summary>
internal sealed record RigTiming(
    string Name,
    TimeSpan AttemptTimeout,
    int GeminiMaxRetries,
    TimeSpan GeminiRetryMaxDelay,
    TimeSpan Lease,
    TimeSpan LeaseRenewal,
    TimeSpan RetryDelay,
    TimeSpan MaxRetryDelay,
    TimeSpan ResendPendingAfter,
    TimeSpan RepairInterval,
    int MaxAttempts,
    int MaxCallsPerRun,
    CrontabSchedule? RepairSchedule = null,
    bool FastOutageRecovery = false,
    TimeSpan? LivenessSweepInterval = null,
    TimeSpan? LivenessGraceTime = null)
{
    /// <summary>Time an infrastructure outage may add (a restart, plus clients' and pools' recovery).</summary>
    public static readonly TimeSpan OutageAllowance = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Seconds instead of minutes: Gemini 2 s per request, 2 retries of refusals a second apart, lease
    /// 15 s renewed every 5 s, repair every second, resend after 45 s (above visibilityTimeout, 30 s,
    /// so a redelivery by the queue comes first). The run's limits are the defaults.
    /// </summary>
    public static RigTiming Shrunk { get; } = new(
        "shrunk", TimeSpan.FromSeconds(2), 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(1),
        new ProcessingOptions().MaxAttempts, new GeminiOptions().MaxCallsPerRun, FastOutageRecovery: true,
        LivenessSweepInterval: TimeSpan.FromSeconds(1), LivenessGraceTime: TimeSpan.FromSeconds(3));

    /// <summary>The defaults of the code, with the repair schedule of local.settings.sample.json (the one the README gives).</summary>
    public static RigTiming Defaults { get; } = FromDefaults();

    /// <summary>How often the abandoned-claim sweep runs (the rig runs it, as each instance's sweeper would): the default's 3 s unless set.</summary>
    public TimeSpan LivenessSweep => LivenessSweepInterval ?? new NanoBanana.Functions.Maintenance.MaintenanceOptions().LivenessSweep;

    /// <summary>How long a claim's lock must stay gone before it is handed back: the default's 5 s unless set.</summary>
    public TimeSpan LivenessGrace => LivenessGraceTime ?? new NanoBanana.Functions.Maintenance.MaintenanceOptions().LivenessGrace;

    /// <summary>One call of the default model: its request and the waits of the retries within it.</summary>
    public TimeSpan Call => AttemptTimeout + GeminiMaxRetries * GeminiRetryMaxDelay;

    /// <summary>HTTP requests Gemini may see for one generation: every attempt with its retries of refusals.</summary>
    public int MaxRequestsPerGeneration => MaxAttempts * (1 + GeminiMaxRetries);

    /// <summary>
    /// The longest a generation may take to end: each of MaxAttempts attempts runs a whole call and
    /// then loses its worker (the lease, then the next sweep), or waits for its next attempt (Google's
    /// delay, bounded), or for the queue's redelivery after a throw; then the pickup by a listener. A
    /// lost message waits for the resend threshold; an outage adds its allowance.
    /// </summary>
    public TimeSpan Bound(HostQueueSettings queue) =>
        MaxAttempts * (Call + Max(Lease + RepairInterval, MaxRetryDelay, queue.VisibilityTimeout) + queue.MaxPollingInterval)
        + ResendPendingAfter + OutageAllowance;

    public void Apply(Dictionary<string, string?> settings)
    {
        settings["Gemini:AttemptTimeoutSeconds"] = Seconds(AttemptTimeout);
        settings["Gemini:MaxRetries"] = $"{GeminiMaxRetries}";
        settings["Gemini:RetryMaxDelaySeconds"] = Seconds(GeminiRetryMaxDelay);
        settings["Gemini:MaxCallsPerRun"] = $"{MaxCallsPerRun}";
        settings["Processing:LeaseSeconds"] = Seconds(Lease);
        settings["Processing:LeaseRenewalSeconds"] = Seconds(LeaseRenewal);
        settings["Processing:RetryDelaySeconds"] = Seconds(RetryDelay);
        settings["Processing:MaxRetryDelaySeconds"] = Seconds(MaxRetryDelay);
        settings["Processing:MaxAttempts"] = $"{MaxAttempts}";
        settings["Maintenance:ResendPendingAfterSeconds"] = Seconds(ResendPendingAfter);
        settings["Maintenance:LivenessGraceSeconds"] = Seconds(LivenessGrace);
        // The rig runs the abandoned-claim sweep itself (and counts what it does), as it runs the repair.
        settings["Maintenance:LivenessSweepSeconds"] = "0";
        if (FastOutageRecovery)
        {
            // Clients and pools notice an outage in seconds, so a restart costs seconds too.
            settings["Gemini:RetryBaseDelayMilliseconds"] = "50";
            settings["Storage:NetworkTimeoutSeconds"] = "3";
            settings["Storage:MaxRetries"] = "1";
            settings["Api:PollAfterSeconds"] = "1";
            settings["Postgres:ConnectionString"] += ";Timeout=5;Command Timeout=15";
        }
    }

    /// <summary>The next time the repair sweep runs: on its NCRONTAB schedule, as the timer would, or every RepairInterval.</summary>
    public DateTime NextRepair(DateTime after) => RepairSchedule?.GetNextOccurrence(after) ?? after + RepairInterval;

    private static RigTiming FromDefaults()
    {
        var gemini = new GeminiOptions();
        var processing = new ProcessingOptions();
        var schedule = CrontabSchedule.Parse(
            LocalSettingsSample.Values()["Maintenance__RepairSchedule"], new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        var first = schedule.GetNextOccurrence(DateTime.UnixEpoch);
        return new RigTiming(
            "defaults", gemini.AttemptTimeout(gemini.Model), gemini.MaxRetries, TimeSpan.FromSeconds(gemini.RetryMaxDelaySeconds),
            processing.Lease, processing.LeaseRenewal, TimeSpan.FromSeconds(processing.RetryDelaySeconds), processing.MaxRetryDelay,
            new NanoBanana.Functions.Maintenance.MaintenanceOptions().ResendPendingAfter, schedule.GetNextOccurrence(first) - first,
            processing.MaxAttempts, gemini.MaxCallsPerRun, schedule);
    }

    private static string Seconds(TimeSpan value) => ((int)value.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static TimeSpan Max(params TimeSpan[] values) => values.Max();
}
