using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// Runs statements as one of the app's database roles, in one batch behind <c>set_config('role', ...)</c>
/// (and, for a caller, <c>set_config('app.user_id', ...)</c>). Postgres runs a batch as one implicit
/// transaction, so the settings are transaction-local (right behind PgBouncer's transaction pooling),
/// row-level security sees who is asking, and it costs no extra round trip. The app's login needs no
/// table privileges of its own, only membership in the two roles.
/// </summary>
internal static class ScopedBatch
{
    /// <summary>The API's role: row-level security limits it to the caller's rows.</summary>
    public const string ApiRole = "nanobanana_api";

    /// <summary>The worker's and the sweeps' role: all rows.</summary>
    public const string MaintenanceRole = "nanobanana_maintenance";

    private const string CallerScope = $"SELECT set_config('role', '{ApiRole}', true), set_config('app.user_id', @caller, true)";
    private const string MaintenanceScope = $"SELECT set_config('role', '{MaintenanceRole}', true)";

    public static Task<T> ExecuteAsCallerAsync<T>(
        this NpgsqlDataSource dataSource,
        string ownerId,
        string sql,
        NpgsqlParameter[] parameters,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId, [(sql, parameters)], read, ct);

    /// <summary>Several statements in one transaction; <paramref name="read"/> starts at the first one's result.</summary>
    public static Task<T> ExecuteAsCallerAsync<T>(
        this NpgsqlDataSource dataSource,
        string ownerId,
        IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> statements,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct) =>
        ExecuteAsync(dataSource, new NpgsqlBatchCommand(CallerScope)
        {
            Parameters = { new NpgsqlParameter("caller", ownerId) },
        }, statements, read, ct);

    public static Task<T> ExecuteAsMaintenanceAsync<T>(
        this NpgsqlDataSource dataSource,
        string sql,
        NpgsqlParameter[] parameters,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct) =>
        dataSource.ExecuteAsMaintenanceAsync([(sql, parameters)], read, ct);

    /// <summary>Several statements in one transaction; <paramref name="read"/> starts at the first one's result.</summary>
    public static Task<T> ExecuteAsMaintenanceAsync<T>(
        this NpgsqlDataSource dataSource,
        IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> statements,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct) =>
        ExecuteAsync(dataSource, new NpgsqlBatchCommand(MaintenanceScope), statements, read, ct);

    /// <summary>
    /// For work that needs several round trips on one connection (verify-database): a transaction that
    /// acts as the maintenance role until it ends. Throws a PostgresException when the login may not.
    /// </summary>
    public static async Task<NpgsqlTransaction> BeginAsMaintenanceAsync(this NpgsqlConnection connection, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using var scope = new NpgsqlCommand(MaintenanceScope, connection, transaction);
            await scope.ExecuteNonQueryAsync(ct);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    private static async Task<T> ExecuteAsync<T>(
        NpgsqlDataSource dataSource,
        NpgsqlBatchCommand scope,
        IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> statements,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        // Off (Npgsql's default, set here because everything rests on it): with error barriers each
        // statement would run in its own implicit transaction, so the role and the caller set by the
        // first statement would be gone for the next, and a failing statement would not undo the
        // ones before it.
        batch.EnableErrorBarriers = false;
        batch.BatchCommands.Add(scope);
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
