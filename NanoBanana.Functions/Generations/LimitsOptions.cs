using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Generations;

/// <summary>Per-user limits, counted in Postgres so they hold however many instances are running.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    [Description("Generations a user may have pending or processing at once (create and retry count; `429 too_many_active_generations`).")]
    [Range(1, 1000)]
    public int MaxActivePerUser { get; set; } = 5;

    [Description("Generations a user may create or retry in any rolling hour (`429 rate_limited` with `Retry-After`).")]
    [Range(1, 100_000)]
    public int MaxCreationsPerHour { get; set; } = 60;

    [Description("Paid Gemini calls a user's generations may make in any rolling hour, retries' calls included; once spent, create and retry are `429 paid_call_budget_exhausted` with `Retry-After` (a generation already admitted still makes at most `Gemini__MaxCallsPerRun`).")]
    [Range(1, 1_000_000)]
    public int MaxPaidCallsPerHour { get; set; } = 120;
}
