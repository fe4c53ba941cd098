using Npgsql;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Test databases, the way npgsql's own tests hand out temporary objects: most tests share one
/// database and keep apart by using fresh user ids; a test that acts on every row (cleanup, repair,
/// stats) takes one of its own with <c>await using var db = await TestDatabase.CreateAsync();</c>,
/// dropped when disposed. Each is a copy of a template that database/migrate.sh (the command users
/// run) builds once per run, so every test sees the schema exactly as it is deployed. When Postgres
/// cannot be reached the tests fail, with how to start it, rather than skip.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private const string TemplateName = "nanobanana_test_template";
    private static readonly Lazy<Task> Template = new(CreateTemplateAsync);
    private static readonly Lazy<Task<string>> Shared = new(() => CopyTemplateAsync("nanobanana_test"));

    private TestDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    /// <summary>The database most tests share.</summary>
    public static Task<string> SharedConnectionStringAsync() => Shared.Value;

    /// <summary>A database of its own, for a test that acts on every row; dropped when disposed.</summary>
    public static async Task<TestDatabase> CreateAsync() => new(await CopyTemplateAsync($"nanobanana_test_{Guid.NewGuid():N}"[..32]));

    /// <summary>An empty database (no migrations), e.g. to hold another system's schema; dropped when disposed.</summary>
    public static async Task<TestDatabase> CreateEmptyAsync()
    {
        await Template.Value; // Postgres is reachable, or the test fails saying how to start it
        var name = $"other_{Guid.NewGuid():N}"[..32];
        await AdminAsync($"CREATE DATABASE {name}");
        return new(new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = name, Pooling = false }.ConnectionString);
    }

    public async ValueTask DisposeAsync() =>
        await AdminAsync($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} WITH (FORCE)");

    /// <summary>A connection string as the postgres:// URL psql and the repository's scripts take.</summary>
    public static string UrlOf(string connectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password ?? "")}@{server.Host}:{server.Port}/{server.Database}";
    }

    // Copying a template is a file copy in the server, several times faster than migrating again.
    private static async Task<string> CopyTemplateAsync(string name)
    {
        await Template.Value;
        await AdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await AdminAsync($"CREATE DATABASE {name} TEMPLATE {TemplateName}");
        return new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = name, MaxPoolSize = 20 }.ConnectionString;
    }

    private static async Task CreateTemplateAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(AdminConnectionString());
        try
        {
            await AdminAsync($"DROP DATABASE IF EXISTS {TemplateName} WITH (FORCE)");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {server.Host}:{server.Port} ({exception.Message}). " +
                "Start it with `scripts/services.sh start`, or point NANOBANANA_TEST_POSTGRES at a server.", exception);
        }

        var template = new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = TemplateName }.ConnectionString;
        var migrated = await ProcessRunner.RunScriptAsync(["database", "migrate.sh"], ["--create-database", UrlOf(template)]);
        if (migrated.ExitCode != 0)
        {
            throw new InvalidOperationException($"database/migrate.sh failed: {migrated}");
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString());
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }

    private static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(TestSettings.PostgresServer) { Database = "postgres", Pooling = false }.ConnectionString;
}
