using System.ComponentModel.DataAnnotations;
using NCrontab;

namespace NanoBanana.Functions.Maintenance;

public sealed class MaintenanceOptions : IValidatableObject
{
    public const string Section = "Maintenance";

    /// <summary>
    /// NCRONTAB (with seconds) of the daily cleanup, read by the timer trigger (%Maintenance:CleanupSchedule%).
    /// The host resolves it before any of our code runs, so it cannot fall back to a default: set
    /// it to "0 0 2 * * *" for 02:00 (UTC, or WEBSITE_TIME_ZONE's zone).
    /// </summary>
    [Required(ErrorMessage = "Set Maintenance__CleanupSchedule: the cleanup's NCRONTAB schedule, \"0 0 2 * * *\" for daily at 02:00.")]
    public string CleanupSchedule { get; set; } = "";

    /// <summary>NCRONTAB of the frequent repair sweep (%Maintenance:RepairSchedule%): "*/30 * * * * *" is every 30 s, which the recovery time in docs/RELIABILITY.md assumes.</summary>
    [Required(ErrorMessage = "Set Maintenance__RepairSchedule: the repair sweep's NCRONTAB schedule, \"*/30 * * * * *\" for every 30 s.")]
    public string RepairSchedule { get; set; } = "";

    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Rows deleted per statement: small enough that no lock is held for long.</summary>
    [Range(1, 10_000)]
    public int CleanupBatchSize { get; set; } = 500;

    /// <summary>
    /// A timer's run (cleanup, then the full repair) stops after this long and the next run carries on:
    /// it must end well inside host.json functionTimeout (10 min), or the host restarts.
    /// </summary>
    [Range(1, 120)]
    public int RunBudgetMinutes { get; set; } = 8;

    /// <summary>The same for a run started over HTTP, which must answer before Azure's 230 s request limit.</summary>
    [Range(1, 200)]
    public int HttpRunBudgetSeconds { get; set; } = 180;

    /// <summary>A pending generation whose message was sent longer ago than this is presumed lost and sent again.</summary>
    [Range(1, 86_400)]
    public int ResendPendingAfterSeconds { get; set; } = 600;

    /// <summary>Blobs younger than this are never treated as orphans: their row or result may still be being written.</summary>
    [Range(1, 10_080)]
    public int OrphanBlobGraceMinutes { get; set; } = 60;

    /// <summary>Rows handled per repair statement.</summary>
    [Range(1, 10_000)]
    public int RepairBatchSize { get; set; } = 200;

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);

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
