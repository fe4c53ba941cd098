using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Processing;

public sealed class ProcessingOptions
{
    public const string Section = "Processing";

    /// <summary>
    /// How long a claim holds a generation. Longer than one Gemini call with its retries
    /// (Gemini__TotalTimeoutSeconds), shorter than host.json functionTimeout, so a crashed worker's
    /// generation is taken over soon after the crash.
    /// </summary>
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 300;

    /// <summary>
    /// Claims per run (a run starts when the owner creates or retries the generation). Keep it below
    /// host.json maxDequeueCount, so the worker gives up with a reason before the queue gives up.
    /// </summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}
