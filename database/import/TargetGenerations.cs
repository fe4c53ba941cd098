using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using Npgsql;
using NpgsqlTypes;

namespace NanoBanana.Import;

/// <summary>
/// Writes imported generations into NanoBanana's table as the maintenance role, so the import needs
/// no more than the app's own least-privilege login. The original's ids are kept: importing twice
/// finds the first run's rows and writes nothing.
/// </summary>
internal sealed class TargetGenerations(NpgsqlDataSource dataSource)
{
    public Task<bool> ExistsAsync(Guid id, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("SELECT EXISTS (SELECT 1 FROM generations WHERE id = @id)", [new("id", id)],
            async (reader, token) => await reader.ReadAsync(token) && reader.GetBoolean(0), ct);

    /// <summary>An ended generation, its images already stored; false when a concurrent run stored it first.</summary>
    public Task<bool> InsertAsync(Generation generation, string? resultMetadataJson, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("""
            INSERT INTO generations (id, owner_id, status, prompt, options, input_images, attempt, retry_count, run_attempt,
                                     created_at, updated_at, started_at, completed_at, error_code, error_message, error_retryable,
                                     result_images, result_metadata)
            VALUES (@id, @owner_id, @status, @prompt, @options, @input_images, @attempt, @retry_count, 0,
                    @created_at, @completed_at, @started_at, @completed_at, @error_code, @error_message, @error_retryable,
                    @result_images, @result_metadata)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """,
            [
                new("id", generation.Id),
                new("owner_id", generation.OwnerId),
                new("status", generation.Status.ToName()),
                new("prompt", generation.Prompt),
                new("options", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(generation.Options) },
                new("input_images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(generation.InputImages) },
                new("attempt", generation.Attempt),
                new("retry_count", generation.RetryCount),
                new("created_at", generation.CreatedAt),
                new("started_at", NpgsqlDbType.TimestampTz) { Value = (object?)generation.StartedAt ?? DBNull.Value },
                new("completed_at", generation.CompletedAt!.Value),
                new("error_code", NpgsqlDbType.Text) { Value = (object?)generation.Error?.Code ?? DBNull.Value },
                new("error_message", NpgsqlDbType.Text) { Value = (object?)generation.Error?.Message ?? DBNull.Value },
                new("error_retryable", NpgsqlDbType.Boolean) { Value = (object?)generation.Error?.Retryable ?? DBNull.Value },
                new("result_images", NpgsqlDbType.Jsonb) { Value = JsonColumns.Write(generation.Images) },
                new("result_metadata", NpgsqlDbType.Jsonb) { Value = (object?)resultMetadataJson ?? DBNull.Value },
            ],
            (reader, token) => reader.ReadAsync(token), ct);
}
