using Npgsql;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// One test database per run, built by database/migrate.sh (the command users run), so the tests
/// exercise the schema exactly as it is deployed. Tests isolate their data by using fresh user ids.
/// When Postgres cannot be reached the tests fail, with how to start it, rather than skip.
/// </summary>
internal static class TestDatabase
{
    private const string DatabaseName = "nanobanana_test";
    private static readonly Lazy<Task<string>> Ready = new(CreateAsync);

    public static Task<string> GetConnectionStringAsync() => Ready.Value;

    /// <summary>
    /// A database of its own, for tests that act on every row (cleanup, repair, stats) and so
    /// cannot share one with tests running in parallel. Drop it with <see cref="DropAsync"/>.
    /// </summary>
    public static async Task<string> CreateIsolatedAsync()
    {
        await Ready.Value;
        return await CreateAsync($"nanobanana_test_{Guid.NewGuid():N}"[..32]);
    }

    /// <summary>An empty database (no migrations), e.g. to hold another system's schema. Drop it with <see cref="DropAsync"/>.</summary>
    public static async Task<string> CreateEmptyAsync()
    {
        await Ready.Value;
        var name = $"other_{Guid.NewGuid():N}"[..32];
        await using var admin = new NpgsqlConnection(AdminConnectionString());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = name, Pooling = false }.ConnectionString;
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var admin = new NpgsqlConnection(AdminConnectionString());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = "postgres", Pooling = false }.ConnectionString;

    private static Task<string> CreateAsync() => CreateAsync(DatabaseName);

    private static async Task<string> CreateAsync(string databaseName)
    {
        var server = new NpgsqlConnectionStringBuilder(AdminConnectionString());
        try
        {
            await using var admin = new NpgsqlConnection(server.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {server.Host}:{server.Port} ({exception.Message}). " +
                "Start it with `scripts/services.sh start`, or point NANOBANANA_TEST_POSTGRES at a server.", exception);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = databaseName, MaxPoolSize = 20 }.ConnectionString;
        var migrated = await ProcessRunner.RunScriptAsync(["database", "migrate.sh"], ["--create-database", UrlOf(connectionString)]);
        if (migrated.ExitCode != 0)
        {
            throw new InvalidOperationException($"database/migrate.sh failed: {migrated}");
        }

        return connectionString;
    }

    /// <summary>A connection string as the postgres:// URL psql and the repository's scripts take.</summary>
    public static string UrlOf(string connectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password ?? "")}@{server.Host}:{server.Port}/{server.Database}";
    }
}
