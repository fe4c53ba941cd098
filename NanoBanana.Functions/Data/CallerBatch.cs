using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// Runs statements on behalf of one caller. They go out in one batch behind
/// <c>set_config('role', 'nanobanana_api', true), set_config('app.user_id', caller, true)</c>;
/// Postgres runs a batch as one implicit transaction, so both settings are transaction-local (right
/// behind PgBouncer's transaction pooling), row-level security limits the statements to the caller's
/// rows, and it costs no extra round trip.
/// </summary>
internal static class CallerBatch
{
    /// <summary>The database role API statements run as; row-level security applies to it.</summary>
    public const string ApiRole = "nanobanana_api";

    public static Task<T> ExecuteAsCallerAsync<T>(
        this NpgsqlDataSource dataSource,
        string ownerId,
        string sql,
        NpgsqlParameter[] parameters,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, [(sql, parameters)], read, ct);

    /// <summary>Several statements in one transaction; <paramref name="read"/> starts at the first one's result.</summary>
    public static async Task<T> ExecuteAsCallerAsync<T>(
        this NpgsqlDataSource dataSource,
        string ownerId,
        IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> statements,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT set_config('role', '{ApiRole}', true), set_config('app.user_id', @caller, true)")
        {
            Parameters = { new NpgsqlParameter("caller", ownerId) },
        });
        foreach (var (sql, parameters) in statements)
        {
            var statement = new NpgsqlBatchCommand(sql);
            statement.Parameters.AddRange(parameters);
            batch.BatchCommands.Add(statement);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // past the set_config row
        return await read(reader, ct);
    }
}
