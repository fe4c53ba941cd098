using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The rate limit of manual webhook redeliveries, per generation, kept in Postgres so it holds across
/// scaled-out instances. Run as the maintenance role (the API's role has no grant on the table).
/// </summary>
public sealed class WebhookRedeliveryStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Takes one of the generation's <paramref name="max"/> slots per <paramref name="window"/>, before anything is sent.
    /// Counted under the generation's advisory lock (a statement of its own, so the count's snapshot sees every slot
    /// taken by whoever held the lock before): concurrent requests on any instance cannot pass the limit together.
    /// </summary>
    /// <returns>Null when the slot is taken; otherwise how long until the oldest slot in the window frees up.</returns>
    public async Task<TimeSpan?> TryReserveAsync(Guid generationId, DateTimeOffset now, TimeSpan window, int max, CancellationToken ct)
    {
        var since = now - window;
        NpgsqlParameter[] Generation() => [new("generation_id", generationId)];
        var (reserved, oldest) = await dataSource.ExecuteAsMaintenanceAsync([
            ("SELECT pg_advisory_xact_lock(hashtextextended('nanobanana.redeliver:' || @generation_id::text, 0))", Generation()),
            ("""
             WITH pruned AS (DELETE FROM webhook_redelivery_requests WHERE generation_id = @generation_id AND requested_at <= @since)
             INSERT INTO webhook_redelivery_requests (generation_id, requested_at)
             SELECT @generation_id, @now
             WHERE (SELECT count(*) FROM webhook_redelivery_requests WHERE generation_id = @generation_id AND requested_at > @since) < @max
             RETURNING 1
             """,
             [new("generation_id", generationId), new("now", now), new("since", since), new("max", max)]),
            ("SELECT min(requested_at) FROM webhook_redelivery_requests WHERE generation_id = @generation_id AND requested_at > @since",
             [new("generation_id", generationId), new("since", since)]),
        ], async (reader, token) =>
        {
            await reader.NextResultAsync(token); // past the lock's row
            var inserted = await reader.ReadAsync(token);
            await reader.NextResultAsync(token);
            await reader.ReadAsync(token);
            return (inserted, reader.IsDBNull(0) ? now : reader.GetFieldValue<DateTimeOffset>(0));
        }, ct);
        if (reserved)
        {
            return null;
        }

        var wait = oldest + window - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
    }
}
