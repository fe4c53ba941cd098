using NanoBanana.Functions.Generations;
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

    public Task<Generation?> ClaimAsync(Guid id, DateTimeOffset now, TimeSpan lease, int maxAttempts, CancellationToken ct) =>
        TransitionAsync(GenerationTransitions.Claim,
            [new("id", id), new("now", now), new("lease", lease), new("max_attempts", maxAttempts)], ct);

    /// <summary>A claimable generation that used up its attempts: each one was interrupted (lease expired), so it is stuck.</summary>
    public Task<Generation?> FailExhaustedAsync(Guid id, DateTimeOffset now, int maxAttempts, CancellationToken ct) =>
        TransitionAsync(GenerationTransitions.FailExhausted, [new("id", id), new("now", now), new("max_attempts", maxAttempts)], ct);

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

    /// <summary>Gives the claim back (processing -> pending) so the next delivery of the message can take it at once.</summary>
    public async Task<bool> ReleaseAsync(Generation claimed, DateTimeOffset now, CancellationToken ct) =>
        await TransitionAsync(GenerationTransitions.Release, Claimed(claimed, now), ct) is not null;

    /// <summary>The queue gave up on the message: fail the generation unless someone holds a live claim or it already ended.</summary>
    public Task<Generation?> FailUndeliverableAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        TransitionAsync(GenerationTransitions.FailUndeliverable, [new("id", id), new("now", now)], ct);

    // The sweeps', a bounded batch at a time.

    /// <summary>Processing rows whose lease expired and that have attempts left go back to pending (to be re-sent).</summary>
    public Task<List<Guid>> RequeueExpiredAsync(DateTimeOffset now, int maxAttempts, int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.RequeueExpired,
            [new("now", now), new("max_attempts", maxAttempts), new("batch", batchSize)], reader => reader.GetGuid(0), ct);

    /// <summary>Processing rows whose lease expired with no attempts left fail STUCK.</summary>
    public Task<List<Guid>> FailStuckAsync(DateTimeOffset now, int maxAttempts, int batchSize, CancellationToken ct) =>
        ListAsync(GenerationTransitions.FailStuck,
            [new("now", now), new("max_attempts", maxAttempts), new("batch", batchSize)], reader => reader.GetGuid(0), ct);

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
        ListAsync(GenerationTransitions.DeleteExpired, [new("cutoff", cutoff), new("batch", batchSize)],
            reader => (reader.GetGuid(0), (IReadOnlyList<string>)BlobNamesOf(reader).ToList()), ct);

    /// <summary>Forgets creations older than the hourly limit's window (with a day's margin).</summary>
    public Task<int> PruneCreationLogAsync(DateTimeOffset before, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("DELETE FROM generation_creations WHERE created_at < @before",
            [new("before", before)], (reader, _) => Task.FromResult(reader.RecordsAffected), ct);

    /// <summary>For each of <paramref name="ids"/> that still has a row: the blob names the row refers to.</summary>
    public async Task<Dictionary<Guid, HashSet<string>>> ReferencedBlobsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var rows = await ListAsync(
            "SELECT id, input_images, result_images FROM generations WHERE id = ANY(@ids)",
            [new("ids", ids.ToArray())],
            reader => (Id: reader.GetGuid(0), Names: BlobNamesOf(reader).ToHashSet()),
            ct);
        return rows.ToDictionary(r => r.Id, r => r.Names);
    }

    // The worker's writes name the attempt it claimed: a cancel or a newer claim makes them find nothing.
    private static NpgsqlParameter[] Claimed(Generation claimed, DateTimeOffset now) =>
        [new("id", claimed.Id), new("attempt", claimed.Attempt), new("now", now)];

    // Columns 1 and 2: input_images, result_images.
    private static IEnumerable<string> BlobNamesOf(NpgsqlDataReader reader) =>
        JsonColumns.ReadImages(reader.GetString(1)).Concat(JsonColumns.ReadImages(reader.GetString(2))).Select(i => i.BlobName);

    private Task<Generation?> TransitionAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, GenerationRow.ReadSingleAsync, ct);

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
