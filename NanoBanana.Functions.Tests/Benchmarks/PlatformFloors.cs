using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Reliability;
using Npgsql;

using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// What the platform itself allows, measured from the front's own process at the same concurrency as
/// the HTTP load: the bars the app's endpoints are held against.
/// </summary>
internal static class PlatformFloors
{
    /// <summary>QueueClient.SendMessageAsync to the same Azurite, as GenerationQueue sends (base64, no expiry).</summary>
    public static async Task<LoadResult> EnqueueAsync(int connections, TimeSpan duration, long maxCount)
    {
        var queue = NewQueue();
        await queue.CreateIfNotExistsAsync();
        try
        {
            return await LoadLoop.RunAsync(connections, duration, maxCount, (_, ct) =>
                queue.SendMessageAsync(Guid.NewGuid().ToString("D"), visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), ct));
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    /// <summary>
    /// <paramref name="count"/> messages sent at <paramref name="connections"/> concurrency, received and
    /// deleted by the host's queue listener (host.json's batch settings) running a function that does
    /// nothing: the pipeline's floor. Latency is each message's send to its function call.
    /// </summary>
    public static async Task<LoadResult> QueueRoundTripAsync(int connections, int count, TimeSpan timeout)
    {
        var queue = NewQueue();
        await queue.CreateIfNotExistsAsync();
        var poison = new QueueClient(TestSettings.Storage, queue.Name + "-poison");
        var latencies = new List<long>(count);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        // The listener reads raw and decodes base64 itself, as WorkerHost's does.
        var listener = new HostQueueListener(new QueueClient(TestSettings.Storage, queue.Name), HostQueueSettings.FromHostJson(), (message, _) =>
        {
            var latency = Stopwatch.GetTimestamp() - long.Parse(message, CultureInfo.InvariantCulture);
            lock (latencies)
            {
                latencies.Add(latency);
                if (latencies.Count == count)
                {
                    all.TrySetResult();
                }
            }

            return Task.CompletedTask;
        });

        var started = Stopwatch.GetTimestamp();
        var listening = listener.RunAsync(poison, stop.Token);
        try
        {
            var sent = await LoadLoop.RunAsync(connections, timeout, count, (_, ct) =>
                queue.SendMessageAsync(Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture), null, TimeSpan.FromSeconds(-1), ct));
            await all.Task.WaitAsync(timeout);
            await stop.CancelAsync();
            await listening; // the last deletes
            return LoadResult.FromTimestamps(latencies, Stopwatch.GetElapsedTime(started), sent.Errors);
        }
        finally
        {
            await stop.CancelAsync();
            await queue.DeleteIfExistsAsync();
            await poison.DeleteIfExistsAsync();
        }
    }

    /// <summary>A prepared primary-key lookup of whole generation rows, as the database's superuser (no role, no RLS).</summary>
    public static async Task<LoadResult> PostgresLookupAsync(string connectionString, IReadOnlyList<Guid> ids, int connections, TimeSpan duration, long maxCount)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = connections, MaxAutoPrepare = 4, AutoPrepareMinUsages = 1, ApplicationName = "bench-floor",
        };
        await using var dataSource = NpgsqlDataSource.Create(builder);
        return await LoadLoop.RunAsync(connections, duration, maxCount, async (n, ct) =>
        {
            await using var command = dataSource.CreateCommand($"SELECT {GenerationRow.Columns} FROM generations WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = ids[(int)(n % ids.Count)] });
            await using var reader = await command.ExecuteReaderAsync(ct);
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync(ct))
            {
                reader.GetValues(values);
            }
        });
    }

    private static QueueClient NewQueue() =>
        new(TestSettings.Storage, $"bench-floor-{Guid.NewGuid():N}"[..24], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
}
