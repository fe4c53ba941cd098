using NanoBanana.Functions.Generations;
using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The API's reads and writes of generations. Every statement filters by owner and runs as the
/// caller (see <see cref="CallerBatch"/>); every state change is one conditional UPDATE that says
/// which states it accepts, so concurrent requests and workers cannot step on each other.
/// </summary>
public sealed class GenerationRepository(NpgsqlDataSource dataSource)
{
    private const string Columns = GenerationRow.Columns;

    /// <summary>Stores a new pending generation; null when the caller already used its idempotency key.</summary>
    public Task<Generation?> InsertAsync(
        Guid id, string ownerId, NewGeneration request, IReadOnlyList<StoredImage> inputImages, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, $"""
            INSERT INTO generations (id, owner_id, status, prompt, options, input_images, idempotency_key, request_hash,
                                     enqueued_at, created_at, updated_at)
            VALUES (@id, @owner_id, 'pending', @prompt, @options, @input_images, @idempotency_key, @request_hash,
                    @now, @now, @now)
            ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING {Columns}
            """,
            [
                new("id", id),
                new("owner_id", ownerId),
                new("prompt", request.Prompt),
                new("options", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(request.Options) },
                new("input_images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(inputImages) },
                new("idempotency_key", NpgsqlDbType.Text) { Value = (object?)request.IdempotencyKey ?? DBNull.Value },
                new("request_hash", NpgsqlDbType.Bytea) { Value = request.IdempotencyKey is null ? DBNull.Value : request.RequestHash },
                new("now", now),
            ],
            GenerationRow.ReadSingleAsync, ct);

    public Task<Generation?> FindAsync(string ownerId, Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            $"SELECT {Columns} FROM generations WHERE id = @id AND owner_id = @owner_id",
            [new("id", id), new("owner_id", ownerId)],
            GenerationRow.ReadSingleAsync, ct);

    public Task<Generation?> FindByIdempotencyKeyAsync(string ownerId, string idempotencyKey, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            $"SELECT {Columns} FROM generations WHERE owner_id = @owner_id AND idempotency_key = @key",
            [new("owner_id", ownerId), new("key", idempotencyKey)],
            GenerationRow.ReadSingleAsync, ct);

    /// <summary>The caller's history, newest first, strictly after <paramref name="after"/> when given.</summary>
    public Task<IReadOnlyList<Generation>> ListAsync(
        string ownerId, GenerationStatus? status, HistoryPosition? after, int limit, CancellationToken ct)
    {
        var parameters = new List<NpgsqlParameter> { new("owner_id", ownerId), new("limit", limit) };
        var where = "owner_id = @owner_id";
        if (status is { } s)
        {
            where += " AND status = @status";
            parameters.Add(new("status", s.ToName()));
        }

        if (after is { } position)
        {
            where += " AND (created_at, id) < (@after_created_at, @after_id)";
            parameters.Add(new("after_created_at", position.CreatedAt));
            parameters.Add(new("after_id", position.Id));
        }

        return dataSource.ExecuteAsCallerAsync(ownerId,
            $"SELECT {Columns} FROM generations WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @limit",
            [.. parameters],
            async (reader, token) =>
            {
                var page = new List<Generation>(limit);
                while (await reader.ReadAsync(token))
                {
                    page.Add(GenerationRow.Read(reader));
                }

                return (IReadOnlyList<Generation>)page;
            }, ct);
    }

    /// <summary>failed/cancelled -> pending again; null when the generation is absent or in another state.</summary>
    public Task<Generation?> RequeueAsync(string ownerId, Guid id, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, $"""
            UPDATE generations
            SET status = 'pending', retry_count = retry_count + 1, run_attempt = 0,
                error_code = NULL, error_message = NULL, error_retryable = NULL,
                started_at = NULL, completed_at = NULL, lease_expires_at = NULL,
                enqueued_at = @now, updated_at = @now, version = version + 1
            WHERE id = @id AND owner_id = @owner_id AND status IN ('failed', 'cancelled')
            RETURNING {Columns}
            """,
            [new("id", id), new("owner_id", ownerId), new("now", now)],
            GenerationRow.ReadSingleAsync, ct);

    /// <summary>pending/processing -> cancelled; a worker holding the old attempt can no longer write.</summary>
    public Task<Generation?> CancelAsync(string ownerId, Guid id, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, $"""
            UPDATE generations
            SET status = 'cancelled', completed_at = @now, lease_expires_at = NULL,
                updated_at = @now, version = version + 1
            WHERE id = @id AND owner_id = @owner_id AND status IN ('pending', 'processing')
            RETURNING {Columns}
            """,
            [new("id", id), new("owner_id", ownerId), new("now", now)],
            GenerationRow.ReadSingleAsync, ct);

    public Task<bool> DeleteAsync(string ownerId, Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            "DELETE FROM generations WHERE id = @id AND owner_id = @owner_id RETURNING id",
            [new("id", id), new("owner_id", ownerId)],
            (reader, token) => reader.ReadAsync(token), ct);

    /// <summary>Records that the queue send failed, so the repair sweep re-sends without waiting.</summary>
    public Task MarkNotEnqueuedAsync(string ownerId, Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            "UPDATE generations SET enqueued_at = NULL WHERE id = @id AND owner_id = @owner_id AND status = 'pending'",
            [new("id", id), new("owner_id", ownerId)],
            (_, _) => Task.FromResult(true), ct);
}

/// <summary>A place in a caller's history: the (created_at, id) of the last item seen.</summary>
public readonly record struct HistoryPosition(DateTimeOffset CreatedAt, Guid Id);
