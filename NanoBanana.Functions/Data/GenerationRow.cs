using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Secrets;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>The column list every generation query selects, and how a row becomes a <see cref="Generation"/>.</summary>
internal static class GenerationRow
{
    public const string Columns = """
        id, owner_id, status, prompt, options, input_images, attempt, retry_count, version,
        created_at, started_at, completed_at, error_code, error_message, error_retryable,
        result_images, result_text, request_hash, run_attempt, enqueued_at,
        api_key_key_id, api_key_ciphertext
        """;

    public static Generation Read(NpgsqlDataReader reader)
    {
        var errorCode = reader.IsDBNull(12) ? null : reader.GetString(12);
        return new Generation(
            Id: reader.GetGuid(0),
            OwnerId: reader.GetString(1),
            Status: GenerationStatusExtensions.Parse(reader.GetString(2)),
            Prompt: reader.GetString(3),
            Options: JsonColumns.ReadOptions(reader.GetString(4)),
            InputImages: JsonColumns.ReadImages(reader.GetString(5)),
            Attempt: reader.GetInt32(6),
            RunAttempt: reader.GetInt32(18),
            RetryCount: reader.GetInt32(7),
            Version: reader.GetInt64(8),
            CreatedAt: reader.GetFieldValue<DateTimeOffset>(9),
            EnqueuedAt: reader.IsDBNull(19) ? null : reader.GetFieldValue<DateTimeOffset>(19),
            StartedAt: reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
            CompletedAt: reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
            Error: errorCode is null
                ? null
                : new GenerationError(errorCode, reader.IsDBNull(13) ? "" : reader.GetString(13), !reader.IsDBNull(14) && reader.GetBoolean(14)),
            Images: JsonColumns.ReadImages(reader.GetString(15)),
            Text: reader.IsDBNull(16) ? null : reader.GetString(16),
            RequestHash: reader.IsDBNull(17) ? null : reader.GetFieldValue<byte[]>(17),
            ApiKey: reader.IsDBNull(20) ? null : new SealedSecret(reader.GetString(20), reader.GetFieldValue<byte[]>(21)));
    }

    public static async Task<Generation?> ReadSingleAsync(NpgsqlDataReader reader, CancellationToken ct) =>
        await reader.ReadAsync(ct) ? Read(reader) : null;
}
