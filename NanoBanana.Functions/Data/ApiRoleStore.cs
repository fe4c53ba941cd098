using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Secrets;
using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The API's reads and writes, run as the database role nanobanana_api for one caller: row-level
/// security limits every statement to the caller's rows, and every statement names the owner too.
/// Kept apart from <see cref="MaintenanceRoleStore"/> because the role is the wall: nothing here can
/// touch another user's generation even if a query forgot its owner. The state changes are the
/// API's rows of <see cref="GenerationTransitions"/>.
/// </summary>
public sealed class ApiRoleStore(NpgsqlDataSource dataSource)
{
    private const string Columns = GenerationRow.Columns;

    /// <summary>
    /// Create: stores a new pending generation if the caller is within its limits, with its message for
    /// <paramref name="queueName"/> in the outbox (one transaction). Created is null, with Limit null too,
    /// when the caller already used its Idempotency-Key.
    /// </summary>
    public Task<InsertOutcome> InsertAsync(
        Guid id, string ownerId, NewGeneration request, IReadOnlyList<StoredImage> inputImages, SealedSecret? apiKey,
        LimitsOptions limits, string queueName, DateTimeOffset now, CancellationToken ct) =>
        UnderLimitsAsync(ownerId, now, GenerationTransitions.Create,
            [
                new("id", id),
                new("queue_name", queueName),
                new("now", now),
                new("prompt", request.Prompt),
                new("options", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(request.Options) },
                new("input_images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(inputImages) },
                new("idempotency_key", NpgsqlDbType.Text) { Value = (object?)request.IdempotencyKey ?? DBNull.Value },
                new("request_hash", NpgsqlDbType.Bytea) { Value = request.IdempotencyKey is null ? DBNull.Value : request.RequestHash },
                .. SealedKey(apiKey),
                new("max_active", limits.MaxActivePerUser),
                new("max_per_hour", limits.MaxCreationsPerHour),
                new("max_paid_per_hour", limits.MaxPaidCallsPerHour),
                new("webhook_url", NpgsqlDbType.Text) { Value = (object?)request.Webhook?.Url.AbsoluteUri ?? DBNull.Value },
                new("webhook_events", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)request.Webhook?.Events.ToArray() ?? DBNull.Value },
                new("deadline_at", NpgsqlDbType.TimestampTz) { Value = request.Deadline is { } deadline ? now + deadline : DBNull.Value },
                new("lane", NpgsqlDbType.Text) { Value = request.Lane.ToName() },
                new("promised_by", NpgsqlDbType.TimestampTz) { Value = request.MaxWait is { } wait ? now + wait : DBNull.Value },
            ],
            (_, created, usage) => new InsertOutcome(created, created is null ? usage.Exceeded(limits, now, checkHourly: true) : null), ct);

    public Task<Generation?> FindAsync(string ownerId, Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            $"SELECT {Columns} FROM generations WHERE id = @id AND owner_id = @owner_id",
            [new("id", id), new("owner_id", ownerId)],
            GenerationRow.ReadSingleAsync, ct);

    /// <summary>As <see cref="FindAsync"/>, fenced the same way, but only the version and status.</summary>
    public Task<GenerationVersion?> FindVersionAsync(string ownerId, Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            "SELECT version, status, coalesce(enqueued_at, created_at) FROM generations WHERE id = @id AND owner_id = @owner_id",
            [new("id", id), new("owner_id", ownerId)],
            async (reader, token) => await reader.ReadAsync(token)
                ? new GenerationVersion(reader.GetInt64(0), GenerationStatuses.Parse(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2))
                : (GenerationVersion?)null,
            ct);

    public Task<Generation?> FindByIdempotencyKeyAsync(string ownerId, string idempotencyKey, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            $"SELECT {Columns} FROM generations WHERE owner_id = @owner_id AND idempotency_key = @key",
            [new("owner_id", ownerId), new("key", idempotencyKey)],
            GenerationRow.ReadSingleAsync, ct);

    /// <summary>The caller's history, newest first, strictly after <paramref name="after"/> when given; only what a list shows (<see cref="GenerationRow.ListedColumns"/>).</summary>
    public async Task<IReadOnlyList<Generation>> ListAsync(
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

        return await dataSource.ExecuteAsCallerAsync(ownerId,
            $"SELECT {GenerationRow.ListedColumns} FROM generations WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @limit",
            [.. parameters], RowReader.All(GenerationRow.ReadListed), ct);
    }

    /// <summary>
    /// Retry: failed/cancelled -> pending again, if the caller is under its limits (a retry counts as a creation
    /// for the hourly one), with its message for <paramref name="queueName"/> in the outbox. Requeued is null
    /// when absent, in another state, or over a limit.
    /// </summary>
    /// <summary>
    /// Retry: failed/cancelled/expired -> pending for a new run, within the caller's limits. Refused, the outcome's
    /// row is null and <see cref="RequeueOutcome.CurrentStatus"/> says why (null: no such generation).
    /// </summary>
    public Task<RequeueOutcome> RequeueAsync(
        string ownerId, Guid id, GenerationOptions options, SealedSecret? apiKey, LimitsOptions limits, string queueName,
        DateTimeOffset now, CancellationToken ct) =>
        UnderLimitsAsync(ownerId, now, GenerationTransitions.Retry,
            [
                new("id", id), new("now", now), new("queue_name", queueName), new("options", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(options) }, .. SealedKey(apiKey),
                new("max_active", limits.MaxActivePerUser), new("max_per_hour", limits.MaxCreationsPerHour),
                new("max_paid_per_hour", limits.MaxPaidCallsPerHour),
            ],
            (reader, requeued, usage) =>
            {
                var current = reader.GetOrdinal("current_status");
                return new RequeueOutcome(requeued, requeued is null ? usage.Exceeded(limits, now, checkHourly: true) : null,
                    reader.IsDBNull(current) ? null : GenerationStatuses.Parse(reader.GetString(current)));
            }, ct);

    /// <summary>Cancel: pending/processing -> cancelled (a worker holding the old attempt can no longer write); refused, the row as it stands.</summary>
    public Task<TransitionOutcome> CancelAsync(string ownerId, Guid id, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, GenerationTransitions.Cancel,
            [new("id", id), new("owner_id", ownerId), new("now", now)],
            async (reader, token) => await reader.ReadAsync(token)
                ? new TransitionOutcome(reader.GetBoolean(reader.GetOrdinal("applied")), GenerationRow.Read(reader))
                : TransitionOutcome.NotFound, ct);

    public Task<bool> DeleteAsync(string ownerId, Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, GenerationTransitions.Delete,
            [new("id", id), new("owner_id", ownerId)],
            (reader, token) => reader.ReadAsync(token), ct);

    // Create and Retry: one batch that takes the user's lock, then runs the transition, which counts the
    // usage once, acts on it, and returns it beside the row (null when refused) to say which limit refused.
    private Task<T> UnderLimitsAsync<T>(
        string ownerId, DateTimeOffset now, string transition, NpgsqlParameter[] parameters,
        Func<NpgsqlDataReader, Generation?, UserUsage, T> outcome, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            [
                (UserUsage.LockSql, [new("owner_id", ownerId)]),
                (transition, [.. UserUsage.Parameters(ownerId, now), .. parameters]),
            ],
            async (reader, token) =>
            {
                await reader.NextResultAsync(token); // past the lock
                await reader.ReadAsync(token);
                return outcome(reader, reader.IsDBNull(reader.GetOrdinal("id")) ? null : GenerationRow.Read(reader), UserUsage.Read(reader));
            }, ct);

    private static NpgsqlParameter[] SealedKey(SealedSecret? apiKey) =>
    [
        new("key_id", NpgsqlDbType.Text) { Value = (object?)apiKey?.KeyId ?? DBNull.Value },
        new("key_ciphertext", NpgsqlDbType.Bytea) { Value = (object?)apiKey?.Ciphertext ?? DBNull.Value },
    ];
}

/// <summary>The generation queued again, or why not: a limit, or its status (null: no such generation).</summary>
public sealed record RequeueOutcome(Generation? Requeued, LimitExceeded? Limit, GenerationStatus? CurrentStatus);

/// <summary>The stored generation, or why none was stored (a limit; or neither: the Idempotency-Key was taken).</summary>
public sealed record InsertOutcome(Generation? Created, LimitExceeded? Limit);
