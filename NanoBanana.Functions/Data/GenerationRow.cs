using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
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
        api_key_key_id, api_key_ciphertext, paid_calls, cancel_outcome, deadline_at, draft_images,
        lane, promised_by, promoted_at, promoted_reason, economy_job_id
        """;

    /// <summary>
    /// What a list of generations shows (history, the catch-up on wake): <see cref="Columns"/> without what no
    /// list response uses: the input images' blob names (only their count), the Idempotency-Key's request hash
    /// and the sealed personal key (bytes that would cross the wire for every row and be dropped); and the
    /// options' four fields taken out of their jsonb by Postgres, so the jsonb columns a list parses are the
    /// images it shows (results and drafts; empty ones are not parsed). Read with <see cref="ReadListed"/>.
    /// </summary>
    public const string ListedColumns = """
        id, owner_id, status, prompt,
        options->>'aspectRatio' AS aspect_ratio, options->>'resolution' AS resolution, options->>'model' AS model,
        (options->>'personalKey')::boolean AS personal_key, jsonb_array_length(input_images) AS input_image_count,
        attempt, retry_count, version, created_at, started_at, completed_at, error_code, error_message, error_retryable,
        result_images, result_text, run_attempt, enqueued_at, paid_calls, cancel_outcome, deadline_at, draft_images,
        lane, promised_by, promoted_at, promoted_reason, economy_job_id
        """;

    public static Generation Read(NpgsqlDataReader reader)
    {
        var row = new Fields(reader);
        var keyId = row.Maybe<string>("api_key_key_id");
        return Read(row,
            JsonColumns.ReadOptions(row.Get<string>("options")),
            JsonColumns.ReadImages(row.Get<string>("input_images")),
            row.Maybe<byte[]>("request_hash"),
            keyId is null ? null : new SealedSecret(keyId, row.Get<byte[]>("api_key_ciphertext")));
    }

    /// <summary>A row of <see cref="ListedColumns"/>: no input image names (<see cref="Generation.InputImageCount"/> says how many), no request hash, no key; the options whole.</summary>
    public static Generation ReadListed(NpgsqlDataReader reader)
    {
        var row = new Fields(reader);
        var options = new GenerationOptions(
            row.Maybe<string>("aspect_ratio"), row.Maybe<string>("resolution"), row.Maybe<string>("model"), row.MaybeValue<bool>("personal_key"));
        return Read(row, options, [], requestHash: null, apiKey: null, row.Get<int>("input_image_count"));
    }

    private static Generation Read(
        Fields row, GenerationOptions options, IReadOnlyList<StoredImage> inputImages, byte[]? requestHash, SealedSecret? apiKey,
        int? inputImageCount = null)
    {
        var errorCode = row.Maybe<string>("error_code");
        return new Generation(
            Id: row.Get<Guid>("id"),
            OwnerId: row.Get<string>("owner_id"),
            Status: GenerationStatuses.Parse(row.Get<string>("status")),
            Prompt: row.Get<string>("prompt"),
            Options: options,
            InputImages: inputImages,
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
            RequestHash: requestHash,
            ApiKey: apiKey)
        {
            InputImageCount = inputImageCount ?? inputImages.Count,
            PaidCalls = row.Get<int>("paid_calls"),
            CancelOutcome = CancelOutcomes.Parse(row.Maybe<string>("cancel_outcome")),
            DeadlineAt = row.MaybeValue<DateTimeOffset>("deadline_at"),
            Drafts = JsonColumns.ReadImages(row.Get<string>("draft_images")),
            Lane = GenerationLanes.Parse(row.Get<string>("lane")),
            PromisedBy = row.MaybeValue<DateTimeOffset>("promised_by"),
            Promotion = row.MaybeValue<DateTimeOffset>("promoted_at") is { } promotedAt
                ? new GenerationPromotion(promotedAt, row.Maybe<string>("promoted_reason") ?? "")
                : null,
            EconomyJobId = row.MaybeValue<Guid>("economy_job_id"),
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
