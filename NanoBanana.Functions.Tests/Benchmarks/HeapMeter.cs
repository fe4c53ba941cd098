namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// What a piece of work costs the managed heap: the bytes allocated while it ran, and the heap's largest
/// growth above where it started (sampled every 2 ms, after a full compacting collection).
/// </summary>
internal static class HeapMeter
{
    public static async Task<(long AllocatedBytes, long PeakGrowthBytes)> MeasureAsync(Func<Task> work)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var sampling = new CancellationTokenSource();
        var peak = Task.Run(async () =>
        {
            var highest = heapBefore;
            while (!sampling.IsCancellationRequested)
            {
                highest = Math.Max(highest, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(2);
            }

            return highest;
        });
        await work();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await sampling.CancelAsync();
        return (allocated, await peak - heapBefore);
    }
}
