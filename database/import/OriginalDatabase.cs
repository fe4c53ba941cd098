using System.Runtime.CompilerServices;
using Npgsql;

namespace NanoBanana.Import;

/// <summary>
/// Reads the original system's generations, oldest first, one row at a time (rows carry base64
/// images of megabytes). Only the generations table is read: the users table, with its plain-text
/// Gemini keys, is never queried, so no key can be carried over.
/// </summary>
internal sealed class OriginalDatabase(NpgsqlDataSource source)
{
    public async IAsyncEnumerable<OriginalGeneration> ReadAsync(Guid? userId, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = source.CreateCommand("""
            SELECT id, user_id, prompt, resolution, aspect_ratio, main_face_image_url, additional_images::text,
                   status, result_image_url, result_base64, error_message, gemini_metadata::text,
                   generation_time_seconds::float8, coalesce(retry_count, 0), created_at, started_at, completed_at
            FROM generations
            WHERE @user_id::uuid IS NULL OR user_id = @user_id::uuid
            ORDER BY created_at, id
            """);
        command.Parameters.Add(new NpgsqlParameter("user_id", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)userId ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
            yield return new OriginalGeneration(
                Id: reader.GetGuid(0),
                UserId: reader.GetGuid(1),
                Prompt: Text(2),
                Resolution: Text(3),
                AspectRatio: Text(4),
                MainFaceImage: Text(5),
                AdditionalImagesJson: Text(6),
                Status: reader.GetString(7),
                ResultImageUrl: Text(8),
                ResultBase64: Text(9),
                ErrorMessage: Text(10),
                GeminiMetadataJson: Text(11),
                GenerationTimeSeconds: reader.IsDBNull(12) ? null : reader.GetDouble(12),
                RetryCount: reader.GetInt32(13),
                CreatedAt: reader.GetFieldValue<DateTimeOffset>(14),
                StartedAt: Time(15),
                CompletedAt: Time(16));
        }
    }
}
