using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <param name="Prefix">User ids are Prefix + a number.</param>
/// <param name="RowsPerUser">Completed generations per user, newest last (0: users and tokens only).</param>
/// <param name="BackgroundRows">Other users' generations around them, so the table is not just the benchmark's.</param>
public sealed record SeedRequest(string Prefix, int Users, int RowsPerUser, int BackgroundRows);

/// <summary>A seeded user, its token, and its newest generation with that generation's ETag.</summary>
public sealed record BenchUser(string UserId, string Token, Guid? Id, string? ETag);

/// <summary>Pipeline timings from the rows themselves (created_at and completed_at, stamped by the app).</summary>
public sealed record PipelineRows(long Total, long Completed, long Active, double SpanSeconds, double P50Ms, double P99Ms);

/// <summary>The rows the benchmark works on, written straight into the database as the worker would have left them.</summary>
internal static class BenchRows
{
    // A completed generation as the worker leaves it: one 1.2 MB PNG, the model's words, version 3
    // (pending -> processing -> completed).
    private const string InsertCompleted = """
        INSERT INTO generations (id, owner_id, status, prompt, options, input_images, attempt, run_attempt, version,
                                 created_at, updated_at, enqueued_at, started_at, completed_at, result_images, result_text)
        SELECT gen_random_uuid(), @prefix || (n % @users), 'completed', 'a banana surfing a wave at sunset, photorealistic, golden light',
               '{"aspectRatio":"9:16"}', '[]', 1, 1, 3, at, at, at, at + interval '1 second', at + interval '9 seconds',
               jsonb_build_array(jsonb_build_object('blobName', 'seed/' || n || '/output/1/0.png', 'mimeType', 'image/png', 'bytes', 1234567)),
               'Here is your image'
        FROM generate_series(1, @rows) n, LATERAL (SELECT now() - make_interval(secs => @rows - n) - interval '1 hour' AS at) t
        """;

    public static async Task<List<BenchUser>> SeedAsync(NpgsqlDataSource dataSource, SeedRequest request)
    {
        if (request.BackgroundRows > 0)
        {
            await ExecuteAsync(dataSource, InsertCompleted, ("prefix", request.Prefix + "bg-"), ("users", Math.Max(1, request.BackgroundRows / 20)), ("rows", request.BackgroundRows));
        }

        if (request.RowsPerUser > 0)
        {
            await ExecuteAsync(dataSource, InsertCompleted, ("prefix", request.Prefix), ("users", request.Users), ("rows", request.Users * request.RowsPerUser));
        }

        await ExecuteAsync(dataSource, "ANALYZE generations");
        var newest = new Dictionary<string, (Guid Id, long Version)>();
        // Each user's newest generation changes once more, as a phone's does when it finishes: the change is
        // announced, so the instance knows its version and a current ETag can be answered from memory
        // (Realtime/KnownVersions) as in production, not only by the database.
        await using (var command = dataSource.CreateCommand("""
                         WITH newest AS (
                             SELECT DISTINCT ON (owner_id) id FROM generations WHERE owner_id LIKE $1 || '%' ORDER BY owner_id, created_at DESC)
                         UPDATE generations g SET version = g.version + 1, updated_at = now()
                         FROM newest WHERE g.id = newest.id
                         RETURNING g.owner_id, g.id, g.version
                         """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = request.Prefix });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                newest[reader.GetString(0)] = (reader.GetGuid(1), reader.GetInt64(2));
            }
        }

        var expires = DateTime.UtcNow.AddHours(3);
        return Enumerable.Range(0, request.Users).Select(i =>
        {
            var userId = request.Prefix + i;
            var row = newest.TryGetValue(userId, out var found) ? found : default((Guid, long)?);
            return new BenchUser(userId, TestTokens.For(userId, expires), row?.Item1, row is null ? null : $"W/\"{row.Value.Item2}\"");
        }).ToList();
    }

    /// <summary>Rows older than any retention (40 days), without images: what the daily cleanup deletes.</summary>
    public static async Task<int> InsertExpiredAsync(NpgsqlDataSource dataSource, int rows)
    {
        await ExecuteAsync(dataSource, """
            INSERT INTO generations (id, owner_id, status, cancel_outcome, prompt, attempt, run_attempt, version, created_at, updated_at, enqueued_at, completed_at)
            SELECT gen_random_uuid(), 'bench-expired-' || (n % 1000), 'cancelled', 'before_call', 'an expired banana', 0, 0, 2, at, at, at, at
            FROM generate_series(1, @rows) n, LATERAL (SELECT now() - interval '40 days' - make_interval(secs => n) AS at) t
            """, ("rows", rows));
        await ExecuteAsync(dataSource, "ANALYZE generations");
        return rows;
    }

    public static async Task<List<Guid>> IdsAsync(NpgsqlDataSource dataSource, string owners)
    {
        var ids = new List<Guid>();
        await using var command = dataSource.CreateCommand("SELECT id FROM generations WHERE owner_id LIKE $1 || '%' LIMIT 10000");
        command.Parameters.Add(new NpgsqlParameter { Value = owners });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    public static async Task<PipelineRows> PipelineAsync(NpgsqlDataSource dataSource, string owners)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE status = 'completed'),
                   count(*) FILTER (WHERE status IN ('pending', 'processing')),
                   coalesce(extract(epoch FROM max(completed_at) - min(created_at)), 0)::float8,
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) FILTER (WHERE status = 'completed'), 0)::float8 * 1000,
                   coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) FILTER (WHERE status = 'completed'), 0)::float8 * 1000
            FROM generations WHERE owner_id LIKE $1 || '%'
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = owners });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new PipelineRows(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5));
    }

    /// <summary>
    /// The create row's leftovers, ended unsent: wrk makes creates far faster than the worker (with an instant Gemini)
    /// completes them, so each second of the row leaves minutes of backlog; cancelled before a worker claims them, their
    /// outbox entries are dropped and their queue messages find nothing. Returns how many were cancelled.
    /// </summary>
    public static async Task<long> CancelPendingAsync(NpgsqlDataSource dataSource, string owners)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE generations
            SET status = 'cancelled', cancel_outcome = 'before_call', completed_at = now(), updated_at = now(), version = version + 1
            WHERE owner_id LIKE $1 || '%' AND status = 'pending'
            """);
        command.CommandTimeout = 600;
        command.Parameters.Add(new NpgsqlParameter { Value = owners });
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
