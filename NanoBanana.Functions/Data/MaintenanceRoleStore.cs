using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The worker's and the sweeps' statements, run as the database role nanobanana_maintenance: they
/// act on any user's generation, which the API's role (<see cref="ApiRoleStore"/>) may not. The
/// state changes are the worker's, repair's and cleanup's rows of <see cref="GenerationTransitions"/>:
/// the worker's name the attempt they claimed, the sweeps' take SKIP LOCKED batches.
/// </summary>
public sealed class MaintenanceRoleStore(NpgsqlDataSource dataSource)
{
    // The worker's, one generation at a time.

    /// <summary>A delivery's one statement: claim, or end what can never be claimed, or nothing (<see cref="GenerationTransitions.Take"/>).</summary>
    public Task<(DeliveryTake Taken, Generation? Row)> TakeAsync(Guid id, DateTimeOffset now, TimeSpan lease, RunLimits limits, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(GenerationTransitions.Take, [new("id", id), new("now", now), new("lease", lease), .. Limits(limits)],
            async (reader, token) => await reader.ReadAsync(token)
                ? (reader.GetString(reader.GetOrdinal("taken")) switch
                {
                    "claimed" => DeliveryTake.Claimed,
                    "expired" => DeliveryTake.Expired,
                    _ => DeliveryTake.Exhausted,
                }, GenerationRow.Read(reader))
                : (DeliveryTake.Nothing, null), ct);

    /// <summary>The holder's own deadline timer fired: its claim ends cancelled, saying whether a paid call had started.</summary>
    public Task<Generation?> StopAtDeadlineAsync(Generation claimed, DateTimeOffset now, CancellationToken ct) =>
        TransitionAsync(GenerationTransitions.StopAtDeadline, Claimed(claimed, now), ct);

    /// <summary>The heartbeat; false when the claim is gone (cancelled, deleted, taken over).</summary>
    public async Task<bool> RenewLeaseAsync(Generation claimed, DateTimeOffset now, TimeSpan lease, CancellationToken ct) =>
        await ScalarAsync<Guid>(GenerationTransitions.RenewLease, [.. Claimed(claimed, now), new("lease", lease)], ct) is not null;

    /// <summary>Reserves one paid Gemini call before it is sent; the calls used so far, or null when the claim is gone or the budget spent.</summary>
    public Task<int?> ReserveCallAsync(Generation claimed, int maxCalls, DateTimeOffset now, CancellationToken ct) =>
        ScalarAsync<int>(GenerationTransitions.ReserveCall,
            [new("id", claimed.Id), new("attempt", claimed.Attempt), new("max_calls", maxCalls), new("now", now)], ct);

    public async Task<bool> CompleteAsync(Generation claimed, IReadOnlyList<StoredImage> images, string? text, string? metadataJson, DateTimeOffset now, CancellationToken ct) =>
        await TransitionAsync(GenerationTransitions.Complete,
            [
                .. Claimed(claimed, now),
                new("images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(images) },
                new("text", NpgsqlDbType.Text) { Value = (object?)text ?? DBNull.Value },
                new("metadata", NpgsqlDbType.Jsonb) { Value = (object?)metadataJson ?? DBNull.Value },
            ], ct) is not null;

    public async Task<bool> FailAsync(Generation claimed, GenerationError error, DateTimeOffset now, CancellationToken ct) =>
        await TransitionAsync(GenerationTransitions.Fail,
            [.. Claimed(claimed, now), new("code", error.Code), new("message", error.Message), new("retryable", error.Retryable)], ct) is not null;

    /// <summary>
    /// Gives the claim back (processing -> pending) for the delivery whose message is visible at
    /// <paramref name="visibleAt"/>; <paramref name="refund"/> returns the reserved call Google did no
    /// work for, <paramref name="failure"/> is why it waits (null keeps the last one).
    /// </summary>
    public async Task<bool> ReleaseAsync(
        Generation claimed, DateTimeOffset now, DateTimeOffset visibleAt, bool refund, GenerationError? failure, CancellationToken ct) =>
        await TransitionAsync(GenerationTransitions.Release,
            [
                .. Claimed(claimed, now),
                new("visible_at", visibleAt),
                new("refund", refund ? 1 : 0),
                new("failure_code", NpgsqlDbType.Text) { Value = (object?)failure?.Code ?? DBNull.Value },
                new("failure_message", NpgsqlDbType.Text) { Value = (object?)failure?.Message ?? DBNull.Value },
            ], ct) is not null;

    /// <summary>The claim's lock is held by this instance's liveness session; false when the claim is gone.</summary>
    public async Task<bool> MarkLiveAsync(Generation claimed, int key, DateTimeOffset now, CancellationToken ct) =>
        await ScalarAsync<Guid>(GenerationTransitions.MarkLive, [.. Claimed(claimed, now), new("key", key)], ct) is not null;

    /// <summary>An interim image of the claim's call, its blob stored: its draft index, or null when the claim is gone (delete the blob).</summary>
    public Task<int?> AddDraftAsync(Generation claimed, StoredImage image, DateTimeOffset now, CancellationToken ct) =>
        ScalarAsync<int>(GenerationTransitions.AddDraft,
            [.. Claimed(claimed, now), new("image", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(image) }], ct);

    /// <summary>The queue gave up on the message: fail the generation unless someone holds a live claim or it already ended.</summary>
    public Task<Generation?> FailUndeliverableAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        TransitionAsync(GenerationTransitions.FailUndeliverable, [new("id", id), new("now", now)], ct);

    // The sweeps', a bounded batch at a time.

    /// <summary>Whether a sweep has anything to do (one indexed probe each): leases that ran out, pending generations without a live message, deadlines passed.</summary>
    public Task<SweepDue> SweepDueAsync(DateTimeOffset now, DateTimeOffset sentBefore, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(GenerationTransitions.SweepDue, [new("now", now), new("sent_before", sentBefore)],
            async (reader, token) => await reader.ReadAsync(token) ? new SweepDue(reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2)) : default, ct);

    /// <summary>Active generations past their deadline end: expired (pending) or cancelled (processing); each with its status and outcome.</summary>
    public Task<List<(Guid Id, GenerationStatus Status, CancelOutcome? CancelOutcome)>> EndOverdueAsync(DateTimeOffset now, int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.EndOverdue, [new("now", now), new("batch", batchSize)],
            reader => (reader.GetGuid(0), GenerationStatuses.Parse(reader.GetString(1)), CancelOutcomes.Parse(reader.GetString(2))), ct);

    /// <summary>Processing rows whose lease expired within the run's limits go back to pending (to be re-sent).</summary>
    public Task<List<Guid>> RequeueExpiredAsync(DateTimeOffset now, RunLimits limits, int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.RequeueExpired, [new("now", now), .. Limits(limits), new("batch", batchSize)], reader => reader.GetGuid(0), ct);

    /// <summary>Processing rows whose lease expired at a limit of their run fail (their last failure, or STUCK); returns each with its code.</summary>
    public Task<List<(Guid Id, string ErrorCode)>> FailStuckAsync(DateTimeOffset now, RunLimits limits, int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.FailStuck, [new("now", now), .. Limits(limits), new("batch", batchSize)],
            reader => (reader.GetGuid(0), reader.GetString(1)), ct);

    /// <summary>Claims marked live whose liveness lock nobody holds: (id, attempt), oldest mark first.</summary>
    public Task<List<(Guid Id, int Attempt)>> UnlockedClaimsAsync(int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.Unlocked, [new("batch", batchSize)], reader => (reader.GetGuid(0), reader.GetInt32(1)), ct);

    /// <summary>Of <paramref name="claims"/>, those still unlocked and within the run's limits go back to pending (to be re-sent now).</summary>
    public Task<List<Guid>> RequeueAbandonedAsync(IReadOnlyCollection<(Guid Id, int Attempt)> claims, DateTimeOffset now, RunLimits limits, CancellationToken ct) =>
        ListAsync(GenerationTransitions.RequeueAbandoned, [.. Seen(claims), new("now", now), .. Limits(limits)], reader => reader.GetGuid(0), ct);

    /// <summary>Of <paramref name="claims"/>, those still unlocked at a limit of their run fail (their last failure, or STUCK).</summary>
    public Task<List<(Guid Id, string ErrorCode)>> FailAbandonedAsync(IReadOnlyCollection<(Guid Id, int Attempt)> claims, DateTimeOffset now, RunLimits limits, CancellationToken ct) =>
        ListAsync(GenerationTransitions.FailAbandoned, [.. Seen(claims), new("now", now), .. Limits(limits)],
            reader => (reader.GetGuid(0), reader.GetString(1)), ct);

    /// <summary>
    /// Pending rows whose message failed or was sent before <paramref name="sentBefore"/>: marks them
    /// sent now and returns them, so whoever gets a row back is the one to send its message.
    /// </summary>
    public Task<List<Guid>> TakeUnsentPendingAsync(DateTimeOffset now, DateTimeOffset sentBefore, int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.TakeUnsent,
            [new("now", now), new("sent_before", sentBefore), new("batch", batchSize)], reader => reader.GetGuid(0), ct);

    /// <summary>A send failed after <see cref="TakeUnsentPendingAsync"/>: make the row due again at the next sweep.</summary>
    public Task MarkNotEnqueuedAsync(Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(GenerationTransitions.MarkNotEnqueued, [new("id", id)], (_, _) => Task.FromResult(true), ct);

    /// <summary>Deletes up to <paramref name="batchSize"/> generations created before <paramref name="cutoff"/>; returns their blob names.</summary>
    public Task<List<(Guid Id, IReadOnlyList<string> BlobNames)>> DeleteCreatedBeforeAsync(DateTimeOffset cutoff, int batchSize, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(
            [(GenerationTransitions.QuietDeletes, []), (GenerationTransitions.DeleteExpired, [new("cutoff", cutoff), new("batch", batchSize)])],
            async (reader, token) =>
            {
                await reader.NextResultAsync(token); // past the setting
                return await RowReader.All(row => (row.GetGuid(0), (IReadOnlyList<string>)BlobNamesOf(row).ToList()))(reader, token);
            }, ct);

    /// <summary>Forgets creations and paid calls older than the hourly limits' window (with a day's margin).</summary>
    public Task<int> PruneCreationLogAsync(DateTimeOffset before, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("""
            WITH paid AS (DELETE FROM gemini_paid_calls WHERE called_at < @before)
            DELETE FROM generation_creations WHERE created_at < @before
            """,
            [new("before", before)], (reader, _) => Task.FromResult(reader.RecordsAffected), ct);

    /// <summary>For each of <paramref name="ids"/> that still has a row: the blob names the row refers to.</summary>
    public async Task<Dictionary<Guid, HashSet<string>>> ReferencedBlobsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var rows = await ListAsync(
            "SELECT id, input_images, result_images || draft_images FROM generations WHERE id = ANY(@ids)",
            [new("ids", ids.ToArray())],
            reader => (Id: reader.GetGuid(0), Names: BlobNamesOf(reader).ToHashSet()),
            ct);
        return rows.ToDictionary(r => r.Id, r => r.Names);
    }

    /// <summary>Where a long maintenance task stopped (e.g. the orphan sweep's listing continuation); null if none.</summary>
    public Task<string?> ReadStateAsync(string name, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("SELECT value FROM maintenance_state WHERE name = @name", [new("name", name)],
            async (reader, token) => await reader.ReadAsync(token) && !reader.IsDBNull(0) ? reader.GetString(0) : null, ct);

    /// <summary>Keeps (or, with null, forgets) where a long maintenance task stopped.</summary>
    public Task SaveStateAsync(string name, string? value, DateTimeOffset now, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("""
            INSERT INTO maintenance_state (name, value, updated_at) VALUES (@name, @value, @now)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """,
            [new("name", name), new("value", NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value }, new("now", now)],
            (_, _) => Task.FromResult(true), ct);

    // The worker's writes name the attempt it claimed: a cancel or a newer claim makes them find nothing.
    private static NpgsqlParameter[] Claimed(Generation claimed, DateTimeOffset now) =>
        [new("id", claimed.Id), new("attempt", claimed.Attempt), new("now", now)];

    private static NpgsqlParameter[] Seen(IReadOnlyCollection<(Guid Id, int Attempt)> claims) =>
        [new("ids", claims.Select(c => c.Id).ToArray()), new("attempts", claims.Select(c => c.Attempt).ToArray())];

    private static NpgsqlParameter[] Limits(RunLimits limits) =>
        [new("max_attempts", limits.MaxAttempts), new("max_calls", limits.MaxCalls)];

    // Columns 1 and 2: input_images, result_images.
    private static IEnumerable<string> BlobNamesOf(NpgsqlDataReader reader) =>
        JsonColumns.ReadImages(reader.GetString(1)).Concat(JsonColumns.ReadImages(reader.GetString(2))).Select(i => i.BlobName);

    private Task<Generation?> TransitionAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, GenerationRow.ReadSingleAsync, ct);

    private Task<T?> ScalarAsync<T>(string sql, NpgsqlParameter[] parameters, CancellationToken ct) where T : struct =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters,
            async (reader, token) => await reader.ReadAsync(token) ? reader.GetFieldValue<T>(0) : (T?)null, ct);

    private Task<List<T>> ListAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, RowReader.All(read), ct);
}

/// <summary>What the repair sweep has to do, from one round trip: expired leases, unsent messages, passed deadlines.</summary>
public readonly record struct SweepDue(bool LeasesOver, bool Unsent, bool Overdue);
