using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Generations;

public sealed class QueueEstimateOptions
{
    public const string Section = "QueueEstimate";

    [Description("For the queue position and ETA: generations processed at once across the app, host.json's batchSize + newBatchThreshold (4 + 2) per instance, times instances.")]
    [Range(1, 10_000)]
    public int WorkerConcurrency { get; set; } = 6;

    [Description("How long one read of the queue serves every caller of an instance.")]
    [Range(1, 300)]
    public int CacheSeconds { get; set; } = 5;

    [Description("The time one generation is assumed to take before any has completed.")]
    [Range(1, 3600)]
    public int DefaultDurationSeconds { get; set; } = 15;
}
