using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Generations;

public sealed class QueueEstimateOptions
{
    public const string Section = "QueueEstimate";

    /// <summary>Generations processed at once across the app: host.json batchSize + newBatchThreshold (6) per instance, times instances.</summary>
    [Range(1, 10_000)]
    public int WorkerConcurrency { get; set; } = 6;

    /// <summary>How long one read of the queue serves every caller of an instance.</summary>
    [Range(1, 300)]
    public int CacheSeconds { get; set; } = 5;

    /// <summary>The time one generation is assumed to take before any has completed.</summary>
    [Range(1, 3600)]
    public int DefaultDurationSeconds { get; set; } = 15;
}
