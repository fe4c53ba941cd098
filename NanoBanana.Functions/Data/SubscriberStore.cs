using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// What a caller registers to be told of its generations, and what it can read back: its browsers'
/// push subscriptions and its webhooks' delivery log. Run as the caller, under row-level security.
/// </summary>
public sealed class SubscriberStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Stores the subscription (again: same endpoint, new keys); returns its id and whether it is new, or null when
    /// it is new and the owner already holds <paramref name="max"/>. Counted under the owner's advisory lock (a
    /// statement of its own before the insert, whose snapshot then sees every insert that held the lock first), so
    /// concurrent saves on any instance cannot pass the cap together.
    /// </summary>
    public async Task<(Guid Id, bool Created)?> SavePushSubscriptionAsync(
        string ownerId, string endpoint, string p256dh, string auth, int max, DateTimeOffset now, CancellationToken ct)
    {
        NpgsqlParameter[] Owner() => [new("owner_id", ownerId)];
        var saved = await dataSource.ExecuteAsCallerAsync(ownerId, [
            ("SELECT pg_advisory_xact_lock(hashtextextended('nanobanana.push:' || @owner_id, 0))", Owner()),
            ("""
             INSERT INTO push_subscriptions (id, owner_id, endpoint, p256dh, auth, created_at)
             SELECT @id, @owner_id, @endpoint, @p256dh, @auth, @now
             WHERE EXISTS (SELECT 1 FROM push_subscriptions WHERE owner_id = @owner_id AND endpoint = @endpoint)
                OR (SELECT count(*) FROM push_subscriptions WHERE owner_id = @owner_id) < @max
             ON CONFLICT (owner_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth
             RETURNING id, id = @id
             """,
             [new("id", Guid.CreateVersion7(now)), new("owner_id", ownerId), new("endpoint", endpoint), new("p256dh", p256dh), new("auth", auth),
              new("now", now), new("max", max)]),
        ], async (reader, token) =>
        {
            await reader.NextResultAsync(token); // past the lock's row
            return await RowReader.All(r => (r.GetGuid(0), r.GetBoolean(1)))(reader, token);
        }, ct);
        return saved.Count == 0 ? null : saved[0];
    }

    public async Task<bool> DeletePushSubscriptionAsync(string ownerId, string endpoint, CancellationToken ct) =>
        (await ListAsync(ownerId, "DELETE FROM push_subscriptions WHERE owner_id = @owner_id AND endpoint = @endpoint RETURNING id",
            [new("owner_id", ownerId), new("endpoint", endpoint)], r => r.GetGuid(0), ct)).Count > 0;

    /// <summary>Every webhook attempt for the caller's generation, oldest first: a delivery's number is its place in this list, from 1.</summary>
    public Task<List<WebhookDelivery>> WebhookDeliveriesAsync(string ownerId, Guid generationId, CancellationToken ct) =>
        ListAsync(ownerId, """
            SELECT generation_id, owner_id, event_id, message_id, event_type, attempt, attempted_at,
                   response_status, error, duration_ms, succeeded, next_attempt_at, redelivery_of
            FROM webhook_deliveries WHERE owner_id = @owner_id AND generation_id = @id ORDER BY id
            """, [new("owner_id", ownerId), new("id", generationId)],
            r => new WebhookDelivery(r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
                r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8),
                r.GetInt32(9), r.GetBoolean(10), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
                r.IsDBNull(12) ? null : r.GetInt32(12)), ct);

    /// <summary>Whether the caller's generation was created with a webhook.</summary>
    public async Task<bool> HasWebhookAsync(string ownerId, Guid generationId, CancellationToken ct) =>
        (await ListAsync(ownerId, "SELECT 1 FROM generation_webhooks WHERE owner_id = @owner_id AND generation_id = @id",
            [new("owner_id", ownerId), new("id", generationId)], r => r.GetInt32(0), ct)).Count > 0;

    private Task<List<T>> ListAsync<T>(string ownerId, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, sql, parameters, RowReader.All(read), ct);
}
