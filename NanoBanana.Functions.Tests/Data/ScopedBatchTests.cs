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

    [Fact]
    public async Task ExecuteAsCaller_RunsEveryStatementOfTheBatch_AsTheCaller()
    {
        // Arrange
        await using var dataSource = NpgsqlDataSource.Create(await TestDatabase.SharedConnectionStringAsync());

        // Act: the scope is set by the batch's first statement; the second must still be under it.
        var (role, user) = await dataSource.ExecuteAsCallerAsync("user-b",
            [("SELECT 1", []), ("SELECT current_user, current_setting('app.user_id', true)", [])],
            async (reader, ct) =>
            {
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                return (reader.GetString(0), reader.GetString(1));
            }, CancellationToken.None);

        // Assert
        Assert.Equal((ScopedBatch.ApiRole, "user-b"), (role, user));
    }

    [Fact]
    public async Task ExecuteAsCaller_IsOneTransaction_SoAFailingStatementUndoesTheOnesBefore()
    {
        // Arrange: one of user-c's generations.
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        var id = Guid.NewGuid();
        await using (var insert = dataSource.CreateCommand(
            "INSERT INTO generations (id, owner_id, prompt, created_at, updated_at) VALUES (@id, 'user-c', 'before', now(), now())"))
        {
            insert.Parameters.AddWithValue("id", id);
            await insert.ExecuteNonQueryAsync();
        }

        // Act
        await Assert.ThrowsAsync<PostgresException>(() => dataSource.ExecuteAsCallerAsync("user-c",
            [("UPDATE generations SET prompt = 'after' WHERE id = @id", [new NpgsqlParameter("id", id)]), ("SELECT 1 / 0", [])],
            (_, _) => Task.FromResult(0), CancellationToken.None));

        // Assert
        await using var read = dataSource.CreateCommand("SELECT prompt FROM generations WHERE id = @id");
        read.Parameters.AddWithValue("id", id);
        Assert.Equal("before", await read.ExecuteScalarAsync());
    }
}
