using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// The worker's state changes, each one conditional UPDATE. A claim takes a pending generation (or
/// one whose lease expired) and bumps its attempt; every later write names that attempt and
/// requires status processing, so a stale worker or a cancel always wins over a late result.
/// </summary>
public sealed class ProcessingStore(NpgsqlDataSource dataSource)
{
    private const string Columns = GenerationRow.Columns;
    private const string Claimable = "(status = 'pending' OR (status = 'processing' AND lease_expires_at <= @now))";

    public Task<Generation?> ClaimAsync(Guid id, DateTimeOffset now, TimeSpan lease, int maxAttempts, CancellationToken ct) =>
        QuerySingleAsync($"""
            UPDATE generations
            SET status = 'processing', attempt = attempt + 1, run_attempt = run_attempt + 1,
                lease_expires_at = @now + @lease, started_at = coalesce(started_at, @now),
                updated_at = @now, version = version + 1
            WHERE id = @id AND {Claimable} AND run_attempt < @max_attempts
            RETURNING {Columns}
            """,
            [new("id", id), new("now", now), new("lease", lease), new("max_attempts", maxAttempts)], ct);

    /// <summary>A claimable generation that used up its attempts: each one was interrupted (lease expired), so it is stuck.</summary>
    public Task<Generation?> FailExhaustedAsync(Guid id, DateTimeOffset now, int maxAttempts, CancellationToken ct) =>
        QuerySingleAsync($"""
            UPDATE generations
            SET {GenerationErrorCodes.FailStuckSql}
            WHERE id = @id AND {Claimable} AND run_attempt >= @max_attempts
            RETURNING {Columns}
            """,
            [new("id", id), new("now", now), new("max_attempts", maxAttempts)], ct);

    public async Task<bool> CompleteAsync(Generation claimed, IReadOnlyList<StoredImage> images, string? text, string? metadataJson, DateTimeOffset now, CancellationToken ct) =>
        await QuerySingleAsync($"""
            UPDATE generations
            SET status = 'completed', result_images = @images, result_text = @text, result_metadata = @metadata,
                completed_at = @now, lease_expires_at = NULL, updated_at = @now, version = version + 1
            WHERE id = @id AND attempt = @attempt AND status = 'processing'
            RETURNING {Columns}
            """,
            [
                new("id", claimed.Id), new("attempt", claimed.Attempt), new("now", now),
                new("images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(images) },
                new("text", NpgsqlDbType.Text) { Value = (object?)text ?? DBNull.Value },
                new("metadata", NpgsqlDbType.Jsonb) { Value = (object?)metadataJson ?? DBNull.Value },
            ], ct) is not null;

    public async Task<bool> FailAsync(Generation claimed, GenerationError error, DateTimeOffset now, CancellationToken ct) =>
        await QuerySingleAsync($"""
            UPDATE generations
            SET status = 'failed', error_code = @code, error_message = @message, error_retryable = @retryable,
                completed_at = @now, lease_expires_at = NULL, updated_at = @now, version = version + 1
            WHERE id = @id AND attempt = @attempt AND status = 'processing'
            RETURNING {Columns}
            """,
            [
                new("id", claimed.Id), new("attempt", claimed.Attempt), new("now", now),
                new("code", error.Code), new("message", error.Message), new("retryable", error.Retryable),
            ], ct) is not null;

    /// <summary>
    /// Gives the claim back (processing -> pending) so the next delivery of the message can take it
    /// at once. enqueued_at is bumped because that redelivery is on its way: the repair sweep waits for it.
    /// </summary>
    public async Task<bool> ReleaseAsync(Generation claimed, DateTimeOffset now, CancellationToken ct) =>
        await QuerySingleAsync($"""
            UPDATE generations
            SET status = 'pending', lease_expires_at = NULL, enqueued_at = @now, updated_at = @now, version = version + 1
            WHERE id = @id AND attempt = @attempt AND status = 'processing'
            RETURNING {Columns}
            """,
            [new("id", claimed.Id), new("attempt", claimed.Attempt), new("now", now)], ct) is not null;

    /// <summary>The queue gave up on the message: fail the generation unless someone holds a live claim or it already ended.</summary>
    public Task<Generation?> FailUndeliverableAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        QuerySingleAsync($"""
            UPDATE generations
            SET status = 'failed', error_code = '{GenerationErrorCodes.DeliveryFailed}',
                error_message = 'The generation could not be processed after repeated attempts. Try again.',
                error_retryable = true, completed_at = @now, lease_expires_at = NULL,
                updated_at = @now, version = version + 1
            WHERE id = @id AND {Claimable}
            RETURNING {Columns}
            """,
            [new("id", id), new("now", now)], ct);

    private Task<Generation?> QuerySingleAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, GenerationRow.ReadSingleAsync, ct);
}
