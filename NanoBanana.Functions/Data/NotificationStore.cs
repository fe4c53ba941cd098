using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The notification side's statements, run as the maintenance role: the outbox the database fills
/// when a generation ends (<c>generation_events</c>), the owners' push subscriptions, and the webhook
/// delivery log. Taking due events is a SKIP LOCKED batch like the repair sweep's, so instances
/// dispatching at once split them.
/// </summary>
public sealed class NotificationStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Events whose message is not out (or went out before <paramref name="resendBefore"/> and was never
    /// handled: lost), marked sent now; whoever gets an id back sends its message.
    /// </summary>
    public Task<List<long>> TakeDueEventsAsync(DateTimeOffset now, DateTimeOffset resendBefore, int batch, CancellationToken ct) =>
        ListAsync("""
            WITH due AS (
                SELECT id FROM generation_events
                WHERE done_at IS NULL AND (sent_at IS NULL OR sent_at < @resend_before)
                ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED)
            UPDATE generation_events e SET sent_at = @now FROM due WHERE e.id = due.id
            RETURNING e.id
            """, [new("now", now), new("resend_before", resendBefore), new("batch", batch)], r => r.GetInt64(0), ct);

    /// <summary>The send after <see cref="TakeDueEventsAsync"/> failed: due again at the next pass.</summary>
    public Task MarkUnsentAsync(long id, CancellationToken ct) =>
        ExecuteAsync("UPDATE generation_events SET sent_at = NULL WHERE id = @id AND done_at IS NULL", [new("id", id)], ct);

    public Task MarkDoneAsync(long id, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync("UPDATE generation_events SET done_at = @now WHERE id = @id AND done_at IS NULL", [new("id", id), new("now", now)], ct);

    /// <summary>The event with its generation's webhook, if any; null when the generation (and so the event) is gone.</summary>
    public async Task<GenerationEvent?> FindEventAsync(long id, CancellationToken ct) =>
        (await ListAsync("""
            SELECT e.id, e.generation_id, e.owner_id, e.status, e.occurred_at, e.done_at IS NOT NULL, w.url, w.events
            FROM generation_events e LEFT JOIN generation_webhooks w ON w.generation_id = e.generation_id
            WHERE e.id = @id
            """, [new("id", id)], r => new GenerationEvent(
                r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetBoolean(5),
                r.IsDBNull(6) ? null : new Uri(r.GetString(6)), r.IsDBNull(7) ? [] : r.GetFieldValue<string[]>(7)), ct)).SingleOrDefault();

    public Task<List<StoredPushSubscription>> SubscriptionsOfAsync(string ownerId, CancellationToken ct) =>
        ListAsync("SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE owner_id = @owner_id ORDER BY created_at",
            [new("owner_id", ownerId)], r => new StoredPushSubscription(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3)), ct);

    /// <summary>The push service said the subscription is gone (404/410).</summary>
    public Task DeleteSubscriptionAsync(Guid id, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM push_subscriptions WHERE id = @id", [new("id", id)], ct);

    /// <summary>Attempts already logged for an event's webhook, and whether one succeeded.</summary>
    public async Task<(int Attempts, bool Delivered)> WebhookProgressAsync(long eventId, CancellationToken ct) =>
        (await ListAsync("SELECT coalesce(max(attempt), 0), coalesce(bool_or(succeeded), false) FROM webhook_deliveries WHERE event_id = @id",
            [new("id", eventId)], r => (r.GetInt32(0), r.GetBoolean(1)), ct)).Single();

    public Task RecordDeliveryAsync(WebhookDelivery delivery, CancellationToken ct) =>
        ExecuteAsync("""
            INSERT INTO webhook_deliveries (generation_id, owner_id, event_id, message_id, event_type, attempt, attempted_at,
                                            response_status, error, duration_ms, succeeded, next_attempt_at)
            VALUES (@generation_id, @owner_id, @event_id, @message_id, @event_type, @attempt, @attempted_at,
                    @response_status, @error, @duration_ms, @succeeded, @next_attempt_at)
            """,
            [
                new("generation_id", delivery.GenerationId), new("owner_id", delivery.OwnerId), new("event_id", delivery.EventId),
                new("message_id", delivery.MessageId), new("event_type", delivery.EventType), new("attempt", delivery.Attempt),
                new("attempted_at", delivery.AttemptedAt),
                new("response_status", NpgsqlDbType.Integer) { Value = (object?)delivery.ResponseStatus ?? DBNull.Value },
                new("error", NpgsqlDbType.Text) { Value = (object?)delivery.Error ?? DBNull.Value },
                new("duration_ms", delivery.DurationMs), new("succeeded", delivery.Succeeded),
                new("next_attempt_at", NpgsqlDbType.TimestampTz) { Value = (object?)delivery.NextAttemptAt ?? DBNull.Value },
            ], ct);

    private Task ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, (_, _) => Task.FromResult(true), ct);

    private Task<List<T>> ListAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, RowReader.All(read), ct);
}

/// <summary>A generation ended (completed, failed, cancelled) and its owner is to be told; with its webhook, if it has one.</summary>
public sealed record GenerationEvent(
    long Id, Guid GenerationId, string OwnerId, string Status, DateTimeOffset OccurredAt, bool Done, Uri? WebhookUrl, string[] WebhookEvents);

/// <summary>A browser's push subscription as stored: its endpoint and RFC 8291 keys (base64url).</summary>
public sealed record StoredPushSubscription(Guid Id, string Endpoint, string P256dh, string Auth);

/// <summary>One attempt to deliver a webhook, as the owner sees it in the delivery log.</summary>
public sealed record WebhookDelivery(
    Guid GenerationId, string OwnerId, long EventId, string MessageId, string EventType, int Attempt, DateTimeOffset AttemptedAt,
    int? ResponseStatus, string? Error, int DurationMs, bool Succeeded, DateTimeOffset? NextAttemptAt);
