using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using Npgsql;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// The sweeps' SQL. Each statement picks a bounded batch with FOR UPDATE SKIP LOCKED and re-checks
/// its condition in the UPDATE/DELETE itself, so two instances sweeping at once split the rows
/// between them instead of acting twice, and no statement holds locks for long.
/// </summary>
public sealed class MaintenanceStore(NpgsqlDataSource dataSource)
{
    /// <summary>Deletes up to <paramref name="batchSize"/> generations created before <paramref name="cutoff"/>; returns their blob names.</summary>
    public Task<List<(Guid Id, IReadOnlyList<string> BlobNames)>> DeleteCreatedBeforeAsync(DateTimeOffset cutoff, int batchSize, CancellationToken ct) =>
        ListAsync("""
            WITH doomed AS (
                SELECT id FROM generations WHERE created_at < @cutoff
                ORDER BY created_at LIMIT @batch FOR UPDATE SKIP LOCKED)
            DELETE FROM generations g USING doomed
            WHERE g.id = doomed.id AND g.created_at < @cutoff
            RETURNING g.id, g.input_images, g.result_images
            """,
            [new("cutoff", cutoff), new("batch", batchSize)],
            reader => (reader.GetGuid(0), (IReadOnlyList<string>)JsonColumns.ReadImages(reader.GetString(1))
                .Concat(JsonColumns.ReadImages(reader.GetString(2))).Select(i => i.BlobName).ToList()),
            ct);

    /// <summary>Forgets creations older than the hourly limit's window (with a day's margin).</summary>
    public Task<int> PruneCreationLogAsync(DateTimeOffset before, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("DELETE FROM generation_creations WHERE created_at < @before",
            [new("before", before)], (reader, _) => Task.FromResult(reader.RecordsAffected), ct);

    /// <summary>Processing rows whose lease expired and that have attempts left go back to pending (to be re-sent).</summary>
    public Task<List<Guid>> RequeueExpiredAsync(DateTimeOffset now, int maxAttempts, int batchSize, CancellationToken ct) =>
        ListAsync("""
            WITH expired AS (
                SELECT id FROM generations
                WHERE status = 'processing' AND lease_expires_at <= @now AND run_attempt < @max_attempts
                LIMIT @batch FOR UPDATE SKIP LOCKED)
            UPDATE generations g
            SET status = 'pending', lease_expires_at = NULL, enqueued_at = @now, updated_at = @now, version = version + 1
            FROM expired
            WHERE g.id = expired.id AND g.status = 'processing' AND g.lease_expires_at <= @now AND g.run_attempt < @max_attempts
            RETURNING g.id
            """,
            [new("now", now), new("max_attempts", maxAttempts), new("batch", batchSize)],
            reader => reader.GetGuid(0), ct);

    /// <summary>Processing rows whose lease expired with no attempts left fail STUCK.</summary>
    public Task<List<Guid>> FailStuckAsync(DateTimeOffset now, int maxAttempts, int batchSize, CancellationToken ct) =>
        ListAsync($"""
            WITH stuck AS (
                SELECT id FROM generations
                WHERE status = 'processing' AND lease_expires_at <= @now AND run_attempt >= @max_attempts
                LIMIT @batch FOR UPDATE SKIP LOCKED)
            UPDATE generations g
            SET {GenerationErrorCodes.FailStuckSql}
            FROM stuck
            WHERE g.id = stuck.id AND g.status = 'processing' AND g.lease_expires_at <= @now AND g.run_attempt >= @max_attempts
            RETURNING g.id
            """,
            [new("now", now), new("max_attempts", maxAttempts), new("batch", batchSize)],
            reader => reader.GetGuid(0), ct);

    /// <summary>
    /// Pending rows whose message failed (enqueued_at NULL) or was sent before <paramref name="sentBefore"/>:
    /// marks them sent now and returns them, so whoever gets a row back is the one to send its message.
    /// </summary>
    public Task<List<Guid>> TakeUnsentPendingAsync(DateTimeOffset now, DateTimeOffset sentBefore, int batchSize, CancellationToken ct) =>
        ListAsync("""
            WITH unsent AS (
                SELECT id FROM generations
                WHERE status = 'pending' AND (enqueued_at IS NULL OR enqueued_at < @sent_before)
                ORDER BY created_at LIMIT @batch FOR UPDATE SKIP LOCKED)
            UPDATE generations g
            SET enqueued_at = @now
            FROM unsent
            WHERE g.id = unsent.id AND g.status = 'pending' AND (g.enqueued_at IS NULL OR g.enqueued_at < @sent_before)
            RETURNING g.id
            """,
            [new("now", now), new("sent_before", sentBefore), new("batch", batchSize)],
            reader => reader.GetGuid(0), ct);

    /// <summary>A send failed after <see cref="TakeUnsentPendingAsync"/>: make the row due again at the next sweep.</summary>
    public Task MarkNotEnqueuedAsync(Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("UPDATE generations SET enqueued_at = NULL WHERE id = @id AND status = 'pending'",
            [new("id", id)], (_, _) => Task.FromResult(true), ct);

    /// <summary>For each of <paramref name="ids"/> that still has a row: the blob names the row refers to.</summary>
    public async Task<Dictionary<Guid, HashSet<string>>> ReferencedBlobsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var rows = await ListAsync(
            "SELECT id, input_images, result_images FROM generations WHERE id = ANY(@ids)",
            [new("ids", ids.ToArray())],
            reader => (Id: reader.GetGuid(0), Names: JsonColumns.ReadImages(reader.GetString(1))
                .Concat(JsonColumns.ReadImages(reader.GetString(2))).Select(i => i.BlobName).ToHashSet()),
            ct);
        return rows.ToDictionary(r => r.Id, r => r.Names);
    }

    private Task<List<T>> ListAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, async (reader, token) =>
        {
            var items = new List<T>();
            while (await reader.ReadAsync(token))
            {
                items.Add(read(reader));
            }

            return items;
        }, ct);
}
