using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>The economy lane's statements (<see cref="EconomyTransitions"/>), run as the maintenance role like the worker's.</summary>
public sealed class EconomyStore(NpgsqlDataSource dataSource)
{
    public Task<List<(string Model, long Waiting, DateTimeOffset Oldest)>> WaitingByModelAsync(CancellationToken ct) =>
        ListAsync(EconomyTransitions.WaitingByModel, [],
            reader => (reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)), ct);

    /// <summary>Records the submission intent: the job (held by the caller for <paramref name="lease"/>) and the rows assigned to it.</summary>
    public Task<List<Guid>> AssignAsync(Guid job, string model, string displayName, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct) =>
        ListAsync(EconomyTransitions.Assign,
            [new("job", job), new("model", model), new("display_name", displayName), new("now", now), new("lease", lease), new("batch", batch)],
            reader => reader.GetGuid(0), ct);

    public Task<List<(Guid Id, string Prompt, GenerationOptions Options)>> JobRequestsAsync(Guid job, CancellationToken ct) =>
        ListAsync(EconomyTransitions.JobRequests, [new("job", job)],
            reader => (reader.GetGuid(0), reader.GetString(1), JsonColumns.ReadOptions(reader.GetString(2))), ct);

    public Task<List<UnrecordedJob>> TakeUnrecordedAsync(DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct) =>
        ListAsync(EconomyTransitions.TakeUnrecorded, [new("now", now), new("lease", lease), new("batch", batch)],
            reader => new UnrecordedJob(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)), ct);

    public Task RecordFileAsync(Guid job, string file, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(EconomyTransitions.RecordFile, [new("job", job), new("file", file), new("now", now)], ct);

    /// <returns>False when the job was recorded already (another batcher did it).</returns>
    public async Task<bool> RecordSubmittedAsync(Guid job, string name, string state, DateTimeOffset now, TimeSpan poll, CancellationToken ct) =>
        (await ListAsync(EconomyTransitions.RecordSubmitted,
            [new("job", job), new("name", name), new("state", state), new("now", now), new("poll", poll)], reader => reader.GetGuid(0), ct)).Count > 0;

    public Task<List<OpenJob>> TakeDueAsync(DateTimeOffset now, TimeSpan lease, TimeSpan poll, int batch, CancellationToken ct) =>
        ListAsync(EconomyTransitions.TakeDue, [new("now", now), new("lease", lease), new("poll", poll), new("batch", batch)],
            reader => new OpenJob(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt32(4), reader.GetInt64(5)), ct);

    /// <summary>Makes the job Google names <paramref name="geminiName"/> due now, once per webhook delivery; null when we have no such job.</summary>
    public async Task<WokenJob?> WakeJobAsync(string geminiName, string webhookId, DateTimeOffset now, CancellationToken ct) =>
        (await ListAsync(EconomyTransitions.WakeJob, [new("name", geminiName), new("webhook_id", webhookId), new("now", now)],
            reader => new WokenJob(reader.GetGuid(0), reader.GetString(1), reader.GetBoolean(2)), ct)).FirstOrDefault();

    public Task SawStateAsync(Guid job, string state, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(EconomyTransitions.SawState, [new("job", job), new("state", state), new("now", now)], ct);

    /// <returns>The reads of the results file started so far, this one included.</returns>
    public async Task<int> BeginReadAsync(Guid job, DateTimeOffset now, CancellationToken ct) =>
        (await ListAsync(EconomyTransitions.BeginRead, [new("job", job), new("now", now)], reader => reader.GetInt32(0), ct)).Single();

    public Task ReadBrokeAsync(Guid job, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(EconomyTransitions.ReadBroke, [new("job", job), new("now", now)], ct);

    /// <returns>When the last claim on a row of the job that is still running runs out; null when none runs.</returns>
    public async Task<DateTimeOffset?> ClaimsHeldUntilAsync(Guid job, DateTimeOffset now, CancellationToken ct) =>
        (await ListAsync(EconomyTransitions.ClaimsHeldUntil, [new("job", job), new("now", now)],
            reader => reader.IsDBNull(0) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(0), ct)).Single();

    public Task ReadAgainAtAsync(Guid job, DateTimeOffset at, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(EconomyTransitions.ReadAgainAt, [new("job", job), new("at", at), new("now", now)], ct);

    public Task EndJobAsync(Guid job, string state, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync(EconomyTransitions.EndJob, [new("job", job), new("state", state), new("now", now)], ct);

    public Task<Generation?> ClaimResultAsync(Guid id, Guid job, DateTimeOffset now, TimeSpan lease, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(EconomyTransitions.ClaimResult,
            [new("id", id), new("job", job), new("now", now), new("lease", lease)], GenerationRow.ReadSingleAsync, ct);

    /// <param name="refund">Give back the call reserved at assignment: Google never had the job.</param>
    public Task<List<Guid>> PromoteJobAsync(Guid job, string reason, bool refund, DateTimeOffset now, CancellationToken ct) =>
        ListAsync(EconomyTransitions.PromoteJob, [new("job", job), new("now", now), new("reason", reason), new("refund", refund ? 1 : 0)],
            reader => reader.GetGuid(0), ct);

    public async Task<bool> PromoteClaimedAsync(Generation claimed, string reason, DateTimeOffset now, CancellationToken ct) =>
        (await ListAsync(EconomyTransitions.PromoteClaimed,
            [new("id", claimed.Id), new("attempt", claimed.Attempt), new("now", now), new("reason", reason), new("refund", (object)0)],
            reader => reader.GetGuid(0), ct)).Count > 0;

    public Task<List<Guid>> PromoteDueAsync(DateTimeOffset now, DateTimeOffset due, int maxReads, int batch, CancellationToken ct) =>
        ListAsync(EconomyTransitions.PromoteDue,
            [new("now", now), new("due", due), new("reason", PromotionReasons.PromiseDue), new("refund", (object)0), new("max_reads", maxReads), new("batch", batch)],
            reader => reader.GetGuid(0), ct);

    /// <summary>Forgets up to <paramref name="batch"/> jobs done before <paramref name="cutoff"/> whose generations are gone.</summary>
    public Task<int> DeleteEndedJobsAsync(DateTimeOffset cutoff, int batch, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(EconomyTransitions.DeleteEndedJobs, [new("cutoff", cutoff), new("batch", batch)],
            (reader, _) => Task.FromResult(reader.RecordsAffected), ct);

    private Task<bool> ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, (_, _) => Task.FromResult(true), ct);

    private Task<List<T>> ListAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync(sql, parameters, RowReader.All(read), ct);
}

/// <summary>A job whose intent is recorded and whose submit is not: it may or may not exist at Google.</summary>
public sealed record UnrecordedJob(Guid Id, string Model, string DisplayName, string? FileName);

/// <summary>A job Google has: its name there, when it was submitted, reads of its results that broke off, and its rows still active.</summary>
public sealed record OpenJob(Guid Id, string Model, string GeminiName, DateTimeOffset SubmittedAt, int ResultsReads, long Active);

/// <param name="State">The job's row state (preparing, open, done).</param>
/// <param name="Woken">Due now for this delivery; false when the job is no longer open or this delivery woke it before.</param>
public sealed record WokenJob(Guid Id, string State, bool Woken);
