using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// Runs one statement on behalf of one caller. The statement goes out in a batch behind
/// <c>set_config('app.user_id', caller, true)</c>; Postgres runs a batch as one implicit transaction,
/// so the setting is transaction-local (right behind PgBouncer's transaction pooling), the row-level
/// security policies see who is asking, and it costs no extra round trip.
/// </summary>
internal static class CallerBatch
{
    public static async Task<T> ExecuteAsCallerAsync<T>(
        this NpgsqlDataSource dataSource,
        string ownerId,
        string sql,
        NpgsqlParameter[] parameters,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('app.user_id', @caller, true)")
        {
            Parameters = { new NpgsqlParameter("caller", ownerId) },
        });
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(statement);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // past set_config's row
        return await read(reader, ct);
    }
}
