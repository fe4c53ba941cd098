using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Secrets;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// The column list every generation query selects (and every transition returns), and how a row
/// becomes a <see cref="Generation"/>. Columns are read by name, so the list's order, or a column
/// added to it, cannot shift what lands where.
/// </summary>
internal static class GenerationRow
{
    public const string Columns = """
        id, owner_id, status, prompt, options, input_images, attempt, retry_count, version,
        created_at, started_at, completed_at, error_code, error_message, error_retryable,
        result_images, result_text, request_hash, run_attempt, enqueued_at,
        api_key_key_id, api_key_ciphertext, paid_calls, cancel_outcome, deadline_at, draft_images
        """;

    public static Generation Read(NpgsqlDataReader reader)
    {
        var row = new Fields(reader);
        var errorCode = row.Maybe<string>("error_code");
        var keyId = row.Maybe<string>("api_key_key_id");
        return new Generation(
            Id: row.Get<Guid>("id"),
            OwnerId: row.Get<string>("owner_id"),
            Status: GenerationStatusExtensions.Parse(row.Get<string>("status")),
            Prompt: row.Get<string>("prompt"),
            Options: JsonColumns.ReadOptions(row.Get<string>("options")),
            InputImages: JsonColumns.ReadImages(row.Get<string>("input_images")),
            Attempt: row.Get<int>("attempt"),
            RunAttempt: row.Get<int>("run_attempt"),
            RetryCount: row.Get<int>("retry_count"),
            Version: row.Get<long>("version"),
            CreatedAt: row.Get<DateTimeOffset>("created_at"),
            EnqueuedAt: row.MaybeValue<DateTimeOffset>("enqueued_at"),
            StartedAt: row.MaybeValue<DateTimeOffset>("started_at"),
            CompletedAt: row.MaybeValue<DateTimeOffset>("completed_at"),
            Error: errorCode is null
                ? null
                : new GenerationError(errorCode, row.Maybe<string>("error_message") ?? "", row.MaybeValue<bool>("error_retryable") ?? false),
            Images: JsonColumns.ReadImages(row.Get<string>("result_images")),
            Text: row.Maybe<string>("result_text"),
            RequestHash: row.Maybe<byte[]>("request_hash"),
            ApiKey: keyId is null ? null : new SealedSecret(keyId, row.Get<byte[]>("api_key_ciphertext")))
        {
            PaidCalls = row.Get<int>("paid_calls"),
            CancelOutcome = CancelOutcomes.Parse(row.Maybe<string>("cancel_outcome")),
            DeadlineAt = row.MaybeValue<DateTimeOffset>("deadline_at"),
            Drafts = JsonColumns.ReadImages(row.Get<string>("draft_images")),
        };
    }

    public static async Task<Generation?> ReadSingleAsync(NpgsqlDataReader reader, CancellationToken ct) =>
        await reader.ReadAsync(ct) ? Read(reader) : null;

    // Npgsql keeps a name-to-ordinal map per result set, so a lookup by name is a dictionary hit.
    private readonly struct Fields(NpgsqlDataReader reader)
    {
        public T Get<T>(string column) => reader.GetFieldValue<T>(reader.GetOrdinal(column));

        public T? Maybe<T>(string column) where T : class =>
            reader.GetOrdinal(column) is var ordinal && reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

        public T? MaybeValue<T>(string column) where T : struct =>
            reader.GetOrdinal(column) is var ordinal && reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
    }
}
