using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NCrontab;

namespace NanoBanana.Functions.Maintenance;

public sealed class MaintenanceOptions : IValidatableObject
{
    public const string Section = "Maintenance";

    [Description("NCRONTAB (6 fields, with seconds) of the daily cleanup and full repair: `0 0 2 * * *` for 02:00 UTC (or `WEBSITE_TIME_ZONE`'s zone). No default: the host resolves it before the app runs.")]
    [Required(ErrorMessage = "Set Maintenance__CleanupSchedule: the cleanup's NCRONTAB schedule, \"0 0 2 * * *\" for daily at 02:00.")]
    public string CleanupSchedule { get; set; } = "";

    [Description("NCRONTAB of the frequent repair sweep, the notification sweep and the economy sweep: `*/30 * * * * *` is every 30 s (an idle sweep is one indexed query), which the recovery time in [RELIABILITY.md](RELIABILITY.md) assumes.")]
    [Required(ErrorMessage = "Set Maintenance__RepairSchedule: the repair sweep's NCRONTAB schedule, \"*/30 * * * * *\" for every 30 s.")]
    public string RepairSchedule { get; set; } = "";

    [Description("Generations (and their images) older than this are deleted by the daily cleanup.")]
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    [Description("Rows deleted per statement: small enough that no lock is held for long.")]
    [Range(1, 10_000)]
    public int CleanupBatchSize { get; set; } = 500;

    [Description("The cleanup's pause between batches: the share of a core it leaves to polls and the worker (a 500-row batch costs about 80 ms of a core; with 100 ms between them a million expired rows take about 6 minutes, inside `RunBudgetMinutes`). Never waits past the run's deadline. 0: no pause.")]
    [Range(0, 10_000)]
    public int CleanupPauseMilliseconds { get; set; } = 100;

    [Description("A timer's run (cleanup, then the full repair) stops between batches after this long and the next run carries on: well inside host.json `functionTimeout` (10 min).")]
    [Range(1, 120)]
    public int RunBudgetMinutes { get; set; } = 8;

    [Description("The same for a run started over HTTP, which must answer within Azure's 230 s request limit (`finished: false`: call again).")]
    [Range(1, 200)]
    public int HttpRunBudgetSeconds { get; set; } = 180;

    [Description("A pending generation (or an undelivered notification) whose message was sent longer ago than this is presumed lost and sent again, at most once per this period.")]
    [Range(1, 86_400)]
    public int ResendPendingAfterSeconds { get; set; } = 600;

    [Description("Blobs younger than this are never orphans: their row or result may still be being written.")]
    [Range(1, 10_080)]
    public int OrphanBlobGraceMinutes { get; set; } = 60;

    [Description("Rows handled per repair statement.")]
    [Range(1, 10_000)]
    public int RepairBatchSize { get; set; } = 200;

    [Description("How often each instance looks for claims whose worker died (its liveness lock is gone from `pg_locks`): one indexed query, under 1 ms when idle ([RELIABILITY.md](RELIABILITY.md#liveness-from-the-database)). 0 turns the sweep off on this instance (the lease and the repair sweep still recover everything, in about a minute).")]
    [Range(0, 60)]
    public int LivenessSweepSeconds { get; set; } = 3;

    [Description("A claim is handed back once its lock has been seen missing for this long: longer than a live instance needs to notice its liveness session dropped and take its locks back (ping every second, reconnect within 2 s), so a dropped session or a Postgres restart costs no call.")]
    [Range(3, 300)]
    public int LivenessGraceSeconds { get; set; } = 5;

    public TimeSpan LivenessSweep => TimeSpan.FromSeconds(LivenessSweepSeconds);

    public TimeSpan LivenessGrace => TimeSpan.FromSeconds(LivenessGraceSeconds);

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);

    /// <summary>The retention rule, in one place: a cleanup run at <paramref name="now"/> deletes the generations created before this.</summary>
    public DateTimeOffset CleanupCutoff(DateTimeOffset now) => now - Retention;

    /// <summary>
    /// When a generation created at <paramref name="createdAt"/> falls past <see cref="CleanupCutoff"/>: the first daily
    /// cleanup after it deletes the generation and its images (the API's and the webhooks' <c>expiresAt</c>).
    /// </summary>
    public DateTimeOffset ExpiresAt(DateTimeOffset createdAt) => createdAt + Retention;

    public TimeSpan CleanupPause => TimeSpan.FromMilliseconds(CleanupPauseMilliseconds);

    public TimeSpan RunBudget => TimeSpan.FromMinutes(RunBudgetMinutes);

    public TimeSpan HttpRunBudget => TimeSpan.FromSeconds(HttpRunBudgetSeconds);

    public TimeSpan ResendPendingAfter => TimeSpan.FromSeconds(ResendPendingAfterSeconds);

    public TimeSpan OrphanBlobGrace => TimeSpan.FromMinutes(OrphanBlobGraceMinutes);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { ("Maintenance__CleanupSchedule", CleanupSchedule), ("Maintenance__RepairSchedule", RepairSchedule) })
        {
            if (!string.IsNullOrEmpty(value) && CrontabSchedule.TryParse(value, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
            {
                yield return new ValidationResult($"{name} '{value}' is not an NCRONTAB expression with seconds (e.g. \"0 0 2 * * *\").");
            }
        }
    }
}
