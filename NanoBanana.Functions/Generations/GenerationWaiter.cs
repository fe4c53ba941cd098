using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// Long-poll: reads a generation and, while the caller already knows what it would see, waits for it to
/// change, up to a deadline. Woken by the instance's LISTEN session (<see cref="GenerationChanges"/>),
/// never by a query loop; the request holds no database connection while it waits. A pending
/// generation's queue position moves without its row changing, so that one is looked at again (in
/// memory, from <see cref="QueueEstimator"/>'s shared read) every few seconds.
/// </summary>
public sealed class GenerationWaiter(ApiRoleStore store, GenerationChanges changes, IOptions<QueueEstimateOptions> queue, TimeProvider clock)
{
    /// <param name="unchanged">True while the caller already has what it would be shown.</param>
    public async Task<Generation> WaitWhileAsync(
        string ownerId, Guid id, Func<Generation, CancellationToken, ValueTask<bool>> unchanged, TimeSpan wait, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            using var signal = changes.Subscribe(id); // before the read: a change in between still wakes us
            var generation = await store.FindAsync(ownerId, id, ct) ?? throw new GenerationNotFoundException();
            while (true)
            {
                if (!await unchanged(generation, ct))
                {
                    return generation;
                }

                // Measured after the check, which may have waited on the queue estimate's read.
                var left = deadline - clock.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return generation;
                }

                var nap = generation.Status == GenerationStatus.Pending ? Min(left, TimeSpan.FromSeconds(queue.Value.CacheSeconds)) : left;
                if (await signal.WaitAsync(nap, clock, ct))
                {
                    break; // read it again
                }
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
