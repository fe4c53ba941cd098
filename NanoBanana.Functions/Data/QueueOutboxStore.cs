using NanoBanana.Functions.Generations.Lifecycle;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The queue outbox's statements (migration 020), run as the maintenance role: the create and the retry
/// write an entry with their row (<see cref="GenerationTransitions"/>); the dispatcher takes due entries
/// (SKIP LOCKED: instances split them, as the notification outbox's), deletes the ones it sent and hands
/// back the ones it could not.
/// </summary>
public sealed class QueueOutboxStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Up to <paramref name="batch"/> entries for <paramref name="queueName"/> not taken (or taken before
    /// <paramref name="retakeBefore"/> by an instance that never finished), oldest first. Those still
    /// needed (the generation pending, its enqueued_at what the entry was written with) are marked taken
    /// now and whoever gets them back sends their message; the rest are spent (someone else sent a message
    /// since, or the generation moved on) and are deleted in the same statement.
    /// </summary>
    public Task<List<OutboxEntry>> TakeDueAsync(string queueName, DateTimeOffset now, DateTimeOffset retakeBefore, int batch, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("""
            WITH due AS (
                SELECT o.id, o.generation_id, o.queued_at FROM queue_outbox o
                WHERE o.queue_name = @queue_name AND (o.taken_at IS NULL OR o.taken_at < @retake_before)
                ORDER BY o.id LIMIT @batch FOR UPDATE SKIP LOCKED),
            judged AS (
                SELECT due.id, due.generation_id, EXISTS (
                    SELECT 1 FROM generations g
                    WHERE g.id = due.generation_id AND g.status = 'pending' AND g.enqueued_at = due.queued_at) AS needed
                FROM due),
            spent AS (
                DELETE FROM queue_outbox o USING judged WHERE o.id = judged.id AND NOT judged.needed),
            taken AS (
                UPDATE queue_outbox o SET taken_at = @now FROM judged WHERE o.id = judged.id AND judged.needed)
            SELECT id, generation_id, needed FROM judged ORDER BY id
            """,
            [new("queue_name", queueName), new("now", now), new("retake_before", retakeBefore), new("batch", batch)],
            RowReader.All(r => new OutboxEntry(r.GetInt64(0), r.GetGuid(1), r.GetBoolean(2))), ct);

    /// <summary>After a pass's sends: the entries whose message went out are deleted, the others are due again at once.</summary>
    public Task FinishAsync(IReadOnlyCollection<long> sent, IReadOnlyCollection<long> unsent, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("""
            WITH sent AS (DELETE FROM queue_outbox WHERE id = ANY(@sent))
            UPDATE queue_outbox SET taken_at = NULL WHERE id = ANY(@unsent)
            """,
            [new("sent", sent.ToArray()), new("unsent", unsent.ToArray())], (_, _) => Task.FromResult(true), ct);
}

/// <param name="Needed">False: spent (deleted unsent by the take, nothing to send).</param>
public sealed record OutboxEntry(long Id, Guid GenerationId, bool Needed);
