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
    /// handled: lost) and that have dispatches left, marked sent now; whoever gets an id back sends its message.
    /// </summary>
    public Task<List<long>> TakeDueEventsAsync(DateTimeOffset now, DateTimeOffset resendBefore, int batch, int maxDispatches, CancellationToken ct) =>
        ListAsync("""
            WITH due AS (
                SELECT id FROM generation_events
                WHERE done_at IS NULL AND (sent_at IS NULL OR sent_at < @resend_before) AND dispatches < @max_dispatches
                ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED)
            UPDATE generation_events e SET sent_at = @now, dispatches = e.dispatches + 1 FROM due WHERE e.id = due.id
            RETURNING e.id
            """, [new("now", now), new("resend_before", resendBefore), new("batch", batch), new("max_dispatches", maxDispatches)], r => r.GetInt64(0), ct);

    /// <summary>Events that used every dispatch and were still not finished when the last one was due back: ended, recorded as given up.</summary>
    public Task<List<long>> GiveUpSpentEventsAsync(DateTimeOffset now, DateTimeOffset resendBefore, int maxDispatches, CancellationToken ct) =>
        ListAsync("""
            UPDATE generation_events SET done_at = @now, outcome = 'gave_up'
            WHERE done_at IS NULL AND dispatches >= @max_dispatches AND sent_at < @resend_before
            RETURNING id
            """, [new("now", now), new("resend_before", resendBefore), new("max_dispatches", maxDispatches)], r => r.GetInt64(0), ct);

    /// <summary>The send after <see cref="TakeDueEventsAsync"/> failed: due again at the next pass, the dispatch not spent.</summary>
    public Task MarkUnsentAsync(long id, CancellationToken ct) =>
        ExecuteAsync("UPDATE generation_events SET sent_at = NULL, dispatches = greatest(dispatches - 1, 0) WHERE id = @id AND done_at IS NULL", [new("id", id)], ct);

    public Task MarkDoneAsync(long id, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync("UPDATE generation_events SET done_at = @now, outcome = 'delivered' WHERE id = @id AND done_at IS NULL", [new("id", id), new("now", now)], ct);

    /// <summary>The queue gave up on the event's message (it reached the poison queue): ended, recorded as poisoned.</summary>
    public async Task<bool> MarkPoisonedAsync(long id, DateTimeOffset now, CancellationToken ct) =>
        (await ListAsync("UPDATE generation_events SET done_at = @now, outcome = 'poisoned' WHERE id = @id AND done_at IS NULL RETURNING id",
            [new("id", id), new("now", now)], r => r.GetInt64(0), ct)).Count > 0;

    /// <summary>How an event ended (delivered, gave_up, poisoned), or null while it has not.</summary>
    public async Task<string?> OutcomeAsync(long id, CancellationToken ct) =>
        (await ListAsync("SELECT outcome FROM generation_events WHERE id = @id", [new("id", id)], r => r.IsDBNull(0) ? null : r.GetString(0), ct)).SingleOrDefault();

    /// <summary>A push for the event reached the subscription (or it was gone): a re-dispatch skips it.</summary>
    public Task RecordPushDeliveryAsync(long eventId, Guid subscriptionId, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync("""
            INSERT INTO push_deliveries (event_id, subscription_id, delivered_at) VALUES (@event_id, @subscription_id, @now)
            ON CONFLICT DO NOTHING
            """, [new("event_id", eventId), new("subscription_id", subscriptionId), new("now", now)], ct);

    /// <summary>The event with its generation's webhook, if any; null when the generation (and so the event) is gone.</summary>
    public async Task<GenerationEvent?> FindEventAsync(long id, CancellationToken ct) =>
        (await ListAsync("""
            SELECT e.id, e.generation_id, e.owner_id, e.status, e.occurred_at, e.done_at IS NOT NULL, w.url, w.events
            FROM generation_events e LEFT JOIN generation_webhooks w ON w.generation_id = e.generation_id
            WHERE e.id = @id
            """, [new("id", id)], r => new GenerationEvent(
                r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetBoolean(5),
                r.IsDBNull(6) ? null : new Uri(r.GetString(6)), r.IsDBNull(7) ? [] : r.GetFieldValue<string[]>(7)), ct)).SingleOrDefault();

    /// <summary>The owner's subscriptions that the event has not reached yet.</summary>
    public Task<List<StoredPushSubscription>> SubscriptionsToPushAsync(string ownerId, long eventId, CancellationToken ct) =>
        ListAsync("""
            SELECT s.id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s
            WHERE s.owner_id = @owner_id
              AND NOT EXISTS (SELECT 1 FROM push_deliveries d WHERE d.event_id = @event_id AND d.subscription_id = s.id)
            ORDER BY s.created_at
            """,
            [new("owner_id", ownerId), new("event_id", eventId)], r => new StoredPushSubscription(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3)), ct);

    /// <summary>The push service said the subscription is gone (404/410).</summary>
    public Task DeleteSubscriptionAsync(Guid id, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM push_subscriptions WHERE id = @id", [new("id", id)], ct);

    /// <summary>
    /// Scheduled attempts already logged for an event's webhook, and whether one succeeded. A manual redelivery is not
    /// an attempt of the schedule, but its success counts: the receiver has the event, later retries would only repeat it.
    /// </summary>
    public async Task<(int Attempts, bool Delivered)> WebhookProgressAsync(long eventId, CancellationToken ct) =>
        (await ListAsync("""
            SELECT coalesce(max(attempt) FILTER (WHERE redelivery_of IS NULL), 0), coalesce(bool_or(succeeded), false)
            FROM webhook_deliveries WHERE event_id = @id
            """, [new("id", eventId)], r => (r.GetInt32(0), r.GetBoolean(1)), ct)).Single();

    /// <returns>The delivery's number: its place in the generation's log (1 = oldest), as the delivery log lists it.</returns>
    public async Task<int> RecordDeliveryAsync(WebhookDelivery delivery, CancellationToken ct) =>
        (await ListAsync("""
            WITH recorded AS (
                INSERT INTO webhook_deliveries (generation_id, owner_id, event_id, message_id, event_type, attempt, attempted_at,
                                                response_status, error, duration_ms, succeeded, next_attempt_at, redelivery_of)
                VALUES (@generation_id, @owner_id, @event_id, @message_id, @event_type, @attempt, @attempted_at,
                        @response_status, @error, @duration_ms, @succeeded, @next_attempt_at, @redelivery_of)
                RETURNING id)
            SELECT 1 + (SELECT count(*) FROM webhook_deliveries d WHERE d.generation_id = @generation_id AND d.id < recorded.id)::int FROM recorded
            """,
            [
                new("generation_id", delivery.GenerationId), new("owner_id", delivery.OwnerId), new("event_id", delivery.EventId),
                new("message_id", delivery.MessageId), new("event_type", delivery.EventType), new("attempt", delivery.Attempt),
                new("attempted_at", delivery.AttemptedAt),
                new("response_status", NpgsqlDbType.Integer) { Value = (object?)delivery.ResponseStatus ?? DBNull.Value },
                new("error", NpgsqlDbType.Text) { Value = (object?)delivery.Error ?? DBNull.Value },
                new("duration_ms", delivery.DurationMs), new("succeeded", delivery.Succeeded),
                new("next_attempt_at", NpgsqlDbType.TimestampTz) { Value = (object?)delivery.NextAttemptAt ?? DBNull.Value },
                new("redelivery_of", NpgsqlDbType.Integer) { Value = (object?)delivery.RedeliveryOf ?? DBNull.Value },
            ], r => r.GetInt32(0), ct)).Single();

    private Task<bool> ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct) =>
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
/// <param name="RedeliveryOf">For a manual redelivery, the number of the delivery it sent again; null for the schedule's attempts.</param>
public sealed record WebhookDelivery(
    Guid GenerationId, string OwnerId, long EventId, string MessageId, string EventType, int Attempt, DateTimeOffset AttemptedAt,
    int? ResponseStatus, string? Error, int DurationMs, bool Succeeded, DateTimeOffset? NextAttemptAt, int? RedeliveryOf = null);
