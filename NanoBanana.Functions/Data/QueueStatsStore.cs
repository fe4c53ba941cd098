using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The queue as a whole, for positions and estimates: pending generations in the order the worker
/// takes them, how many are processing, and how long recent ones took. It counts every user's rows,
/// so it runs as the maintenance role and returns nothing but times and counts.
/// </summary>
public sealed class QueueStatsStore(NpgsqlDataSource dataSource)
{
    // At most 10,000 pending are read: a position past that shows as 10,000 ahead. One statement, three index scans (generations_pending_queue_idx, generations_active_idx,
    // generations_recently_completed_idx).
    private const string Sql = """
        SELECT
            array(SELECT coalesce(enqueued_at, created_at) FROM generations WHERE status = 'pending' AND lane = 'standard'
                  ORDER BY coalesce(enqueued_at, created_at) LIMIT 10000) AS pending,
            (SELECT count(*) FROM generations WHERE status = 'processing') AS processing,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at))
             FROM (SELECT completed_at, started_at FROM generations WHERE status = 'completed'
                   ORDER BY completed_at DESC LIMIT 50) recent) AS median_seconds
        """;

    public Task<QueueStats> ReadAsync(CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(Sql, [], async (reader, token) =>
        {
            await reader.ReadAsync(token);
            return new QueueStats(
                reader.GetFieldValue<DateTimeOffset[]>(0),
                (int)reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetDouble(2));
        }, ct);
}

/// <param name="PendingQueuedAt">When each pending generation was queued, oldest first.</param>
/// <param name="MedianSeconds">Claim to completion of the last 50 completed generations; null before any.</param>
public sealed record QueueStats(DateTimeOffset[] PendingQueuedAt, int Processing, double? MedianSeconds);
