using NanoBanana.Functions.Data;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Data;

public sealed class ScopedBatchTests
{
    [Fact]
    public async Task ExecuteAsCaller_SetsTheUserForItsStatementOnly()
    {
        // Arrange: one physical connection, so "leaks into the next use" would show.
        var connectionString = new NpgsqlConnectionStringBuilder(await TestDatabase.SharedConnectionStringAsync()) { MaxPoolSize = 1 };
        await using var dataSource = NpgsqlDataSource.Create(connectionString.ConnectionString);

        // Act
        var during = await dataSource.ExecuteAsCallerAsync("user-a", "SELECT current_setting('app.user_id', true)", [],
            async (reader, ct) => await reader.ReadAsync(ct) ? reader.GetString(0) : null, CancellationToken.None);
        await using var after = dataSource.CreateCommand("SELECT coalesce(current_setting('app.user_id', true), '')");
        var afterwards = (string)(await after.ExecuteScalarAsync())!;

        // Assert
        Assert.Equal("user-a", during);
        Assert.Equal("", afterwards);
    }
}
