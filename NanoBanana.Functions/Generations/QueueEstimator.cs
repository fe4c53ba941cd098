using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// Where a pending generation stands in the queue and when it should start and finish. The queue is
/// read with one query at most every <see cref="QueueEstimateOptions.CacheSeconds"/> per instance,
/// however many callers ask; each answer is then a binary search in memory.
/// </summary>
public sealed class QueueEstimator(QueueStatsStore store, IOptions<QueueEstimateOptions> options, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private Task<QueueStats>? _stats;
    private DateTimeOffset _readAt;

    /// <summary>Null unless the generation is pending.</summary>
    public ValueTask<QueueEstimate?> EstimateAsync(Generation generation, CancellationToken ct) =>
        EstimateAsync(generation.CurrentVersion, ct);

    /// <summary>Null unless the generation is pending.</summary>
    public async ValueTask<QueueEstimate?> EstimateAsync(GenerationVersion generation, CancellationToken ct)
    {
        if (generation.Status != GenerationStatus.Pending)
        {
            return null;
        }

        var stats = await StatsAsync().WaitAsync(ct);
        var queuedAt = generation.QueuedAt;
        var at = Array.BinarySearch(stats.PendingQueuedAt, queuedAt);
        var ahead = at >= 0 ? FirstOf(stats.PendingQueuedAt, at) : ~at;

        var settings = options.Value;
        var duration = TimeSpan.FromSeconds(stats.MedianSeconds ?? settings.DefaultDurationSeconds);
        // Everyone ahead and everyone processing holds a slot first; each full round of the worker's
        // slots takes about one generation's time.
        var rounds = (stats.Processing + ahead) / settings.WorkerConcurrency;
        var startAt = WholeSeconds(clock.GetUtcNow() + rounds * duration);
        return new QueueEstimate(ahead, startAt, WholeSeconds(startAt + duration));
    }

    private Task<QueueStats> StatsAsync()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (_stats is null || _stats.IsFaulted || now - _readAt >= TimeSpan.FromSeconds(options.Value.CacheSeconds))
            {
                // Shared by every caller until the next refresh, so not cancelled by any one of them.
                _stats = store.ReadAsync(CancellationToken.None);
                _readAt = now;
            }

            return _stats;
        }
    }

    private static int FirstOf(DateTimeOffset[] sorted, int index)
    {
        while (index > 0 && sorted[index - 1] == sorted[index])
        {
            index--;
        }

        return index;
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond));
}

/// <param name="Ahead">Pending generations the worker takes before this one.</param>
public sealed record QueueEstimate(int Ahead, DateTimeOffset EstimatedStartAt, DateTimeOffset EstimatedFinishAt);
