using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Secrets;
using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The API's reads and writes of generations. Every statement filters by owner and runs as the
/// caller (see <see cref="ScopedBatch"/>); every state change is one conditional UPDATE that says
/// which states it accepts, so concurrent requests and workers cannot step on each other.
/// </summary>
public sealed class GenerationRepository(NpgsqlDataSource dataSource)
{
    private const string Columns = GenerationRow.Columns;

    /// <summary>
    /// Stores a new pending generation if the caller is within its limits. The batch takes a per-user
    /// advisory lock first, so concurrent creates by one user (on any instance) count one after the
    /// other; each later statement sees the rows committed before it. Created is null, with Limit
    /// null too, when the caller already used its Idempotency-Key.
    /// </summary>
    public Task<InsertOutcome> InsertAsync(
        Guid id, string ownerId, NewGeneration request, IReadOnlyList<StoredImage> inputImages, SealedSecret? apiKey,
        LimitsOptions limits, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            [
                LockUser(ownerId),
                (Usage.Sql, Usage.Parameters(ownerId, now)),
                ($"""
                 WITH created AS (
                     INSERT INTO generations (id, owner_id, status, prompt, options, input_images, idempotency_key, request_hash,
                                              api_key_key_id, api_key_ciphertext, enqueued_at, created_at, updated_at)
                     SELECT @id, @owner_id, 'pending', @prompt, @options, @input_images, @idempotency_key, @request_hash,
                            @key_id, @key_ciphertext, @now, @now, @now
                     FROM ({Usage.Sql}) usage
                     WHERE usage.active < @max_active AND usage.last_hour < @max_per_hour
                     ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                     RETURNING {Columns}),
                 counted AS (
                     INSERT INTO generation_creations (owner_id, created_at) SELECT owner_id, created_at FROM created)
                 SELECT * FROM created
                 """,
                [
                    .. Usage.Parameters(ownerId, now),
                    new("id", id),
                    new("now", now),
                    new("prompt", request.Prompt),
                    new("options", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(request.Options) },
                    new("input_images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(inputImages) },
                    new("idempotency_key", NpgsqlDbType.Text) { Value = (object?)request.IdempotencyKey ?? DBNull.Value },
                    new("request_hash", NpgsqlDbType.Bytea) { Value = request.IdempotencyKey is null ? DBNull.Value : request.RequestHash },
                    new("key_id", NpgsqlDbType.Text) { Value = (object?)apiKey?.KeyId ?? DBNull.Value },
                    new("key_ciphertext", NpgsqlDbType.Bytea) { Value = (object?)apiKey?.Ciphertext ?? DBNull.Value },
                    new("max_active", limits.MaxActivePerUser),
                    new("max_per_hour", limits.MaxCreationsPerHour),
                ]),
            ],
            async (reader, token) =>
            {
                await reader.NextResultAsync(token); // past the lock
                var usage = await Usage.ReadAsync(reader, token);
                await reader.NextResultAsync(token);
                var created = await GenerationRow.ReadSingleAsync(reader, token);
                return new InsertOutcome(created, created is null ? usage.Exceeded(limits, now, checkHourly: true) : null);
            }, ct);

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

    /// <summary>
    /// failed/cancelled -> pending again, if the caller is under its active limit (retries do not
    /// count against the hourly one). Requeued is null when absent, in another state, or over the limit.
    /// </summary>
    public Task<(Generation? Requeued, LimitExceeded? Limit)> RequeueAsync(
        string ownerId, Guid id, SealedSecret? apiKey, LimitsOptions limits, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            [
                LockUser(ownerId),
                (Usage.Sql, Usage.Parameters(ownerId, now)),
                ($"""
                 UPDATE generations
                 SET status = 'pending', retry_count = retry_count + 1, run_attempt = 0,
                     error_code = NULL, error_message = NULL, error_retryable = NULL,
                     started_at = NULL, completed_at = NULL, lease_expires_at = NULL,
                     api_key_key_id = @key_id, api_key_ciphertext = @key_ciphertext,
                     enqueued_at = @now, updated_at = @now, version = version + 1
                 FROM ({Usage.Sql}) usage
                 WHERE id = @id AND owner_id = @owner_id AND status IN ('failed', 'cancelled') AND usage.active < @max_active
                 RETURNING {Columns}
                 """,
                [
                    .. Usage.Parameters(ownerId, now),
                    new("id", id),
                    new("now", now),
                    new("key_id", NpgsqlDbType.Text) { Value = (object?)apiKey?.KeyId ?? DBNull.Value },
                    new("key_ciphertext", NpgsqlDbType.Bytea) { Value = (object?)apiKey?.Ciphertext ?? DBNull.Value },
                    new("max_active", limits.MaxActivePerUser),
                ]),
            ],
            async (reader, token) =>
            {
                await reader.NextResultAsync(token);
                var usage = await Usage.ReadAsync(reader, token);
                await reader.NextResultAsync(token);
                var requeued = await GenerationRow.ReadSingleAsync(reader, token);
                return (requeued, requeued is null ? usage.Exceeded(limits, now, checkHourly: false) : null);
            }, ct);

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

    // Serialises one user's creates and retries across every instance, for the length of the batch.
    private static (string, NpgsqlParameter[]) LockUser(string ownerId) =>
        ("SELECT pg_advisory_xact_lock(hashtextextended('nanobanana.user:' || @owner_id, 0))", [new("owner_id", ownerId)]);

    /// <summary>What counts against a user's limits: active generations, and creations in the last hour.</summary>
    private static class Usage
    {
        // Active ones from the generations themselves; creations from the append-only log, which
        // deleting a generation does not shorten.
        public const string Sql = """
            SELECT (SELECT count(*) FROM generations WHERE owner_id = @owner_id AND status IN ('pending', 'processing')) AS active,
                   count(*) AS last_hour,
                   min(created_at) AS oldest_in_hour
            FROM generation_creations
            WHERE owner_id = @owner_id AND created_at > @hour_ago
            """;

        public static NpgsqlParameter[] Parameters(string ownerId, DateTimeOffset now) =>
            [new("owner_id", ownerId), new("hour_ago", now - TimeSpan.FromHours(1))];

        public static async Task<UserUsage> ReadAsync(NpgsqlDataReader reader, CancellationToken ct)
        {
            await reader.ReadAsync(ct);
            return new UserUsage(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
        }
    }
}

/// <summary>A user's active generations and creations in the last hour, as counted under the user's lock.</summary>
internal readonly record struct UserUsage(long Active, long LastHour, DateTimeOffset? OldestInHour)
{
    public LimitExceeded? Exceeded(LimitsOptions limits, DateTimeOffset now, bool checkHourly)
    {
        if (checkHourly && LastHour >= limits.MaxCreationsPerHour)
        {
            // The hourly window frees a slot when its oldest creation turns an hour old. Clamped:
            // a concurrent create may have stamped a "now" a moment later than ours.
            var wait = (OldestInHour ?? now) + TimeSpan.FromHours(1) - now;
            return new LimitExceeded(LimitKind.CreationsPerHour, limits.MaxCreationsPerHour,
                TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, 3600)));
        }

        return Active >= limits.MaxActivePerUser ? new LimitExceeded(LimitKind.ActiveGenerations, limits.MaxActivePerUser, null) : null;
    }
}

/// <summary>The stored generation, or why none was stored (a limit; or neither: the Idempotency-Key was taken).</summary>
public sealed record InsertOutcome(Generation? Created, LimitExceeded? Limit);
