using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>Reads every row of a result into a list, for the ScopedBatch read callbacks.</summary>
internal static class RowReader
{
    public static Func<NpgsqlDataReader, CancellationToken, Task<List<T>>> All<T>(Func<NpgsqlDataReader, T> read) =>
        async (reader, ct) =>
        {
            var items = new List<T>();
            while (await reader.ReadAsync(ct))
            {
                items.Add(read(reader));
            }

            return items;
        };
}
