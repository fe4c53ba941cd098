using NanoBanana.Functions.Data;
using Npgsql;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// The uploads table: the API's statements run as nanobanana_api for one caller (row-level security
/// hides other users' uploads, so someone else's id reads as absent); the cleanup's as nanobanana_maintenance.
/// </summary>
public sealed class UploadStore(NpgsqlDataSource dataSource)
{
    public Task InsertAsync(string ownerId, UploadRecord upload, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, """
            INSERT INTO uploads (id, owner_id, mime_type, declared_bytes, created_at)
            VALUES (@id, @owner_id, @mime_type, @declared_bytes, @created_at)
            """,
            [new("id", upload.Id), new("owner_id", ownerId), new("mime_type", upload.MimeType),
             new("declared_bytes", upload.DeclaredBytes), new("created_at", upload.CreatedAt)],
            (_, _) => Task.FromResult(0), ct);

    /// <summary>Of <paramref name="ids"/>, the caller's own uploads; anyone else's are simply not there.</summary>
    public Task<List<UploadRecord>> FindAsync(string ownerId, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            "SELECT id, mime_type, declared_bytes, created_at FROM uploads WHERE owner_id = @owner_id AND id = ANY(@ids)",
            [new("owner_id", ownerId), new("ids", ids.ToArray())],
            RowReader.All(r => new UploadRecord(r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3))), ct);

    /// <summary>Records the first generation that used each upload (later uses leave it).</summary>
    public Task MarkUsedAsync(string ownerId, Guid generationId, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            "UPDATE uploads SET used_by = @generation_id WHERE owner_id = @owner_id AND id = ANY(@ids) AND used_by IS NULL",
            [new("generation_id", generationId), new("owner_id", ownerId), new("ids", ids.ToArray())],
            (_, _) => Task.FromResult(0), ct);

    /// <summary>
    /// Deletes, oldest first, up to <paramref name="batchSize"/> uploads created before <paramref name="cutoff"/>
    /// that no generation refers to (never used, or their generations deleted), and returns their ids for the blobs.
    /// </summary>
    public Task<List<Guid>> DeleteUnusedBeforeAsync(DateTimeOffset cutoff, int batchSize, CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync("""
            DELETE FROM uploads WHERE id IN (
                SELECT u.id FROM uploads u
                WHERE u.created_at < @cutoff
                  AND NOT EXISTS (
                      SELECT 1 FROM generations g
                      WHERE g.owner_id = u.owner_id
                        AND g.input_images @> jsonb_build_array(jsonb_build_object('uploadId', u.id::text)))
                ORDER BY u.created_at
                LIMIT @batch)
            RETURNING id
            """,
            [new("cutoff", cutoff), new("batch", batchSize)],
            RowReader.All(r => r.GetGuid(0)), ct);
}

/// <summary>An upload as recorded at POST /uploads: what the caller declared it would send.</summary>
public sealed record UploadRecord(Guid Id, string MimeType, long DeclaredBytes, DateTimeOffset CreatedAt);
