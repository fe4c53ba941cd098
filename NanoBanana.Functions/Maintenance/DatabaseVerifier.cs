using System.Reflection;
using System.Security.Cryptography;
using NanoBanana.Functions.Data;
using Npgsql;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// The original Express + Supabase system's verify-database.js: can we connect, are all migrations applied (and unchanged), are
/// the tables, indexes and constraints the code relies on present. Each finding names the object.
/// </summary>
public sealed class DatabaseVerifier(NpgsqlDataSource dataSource)
{
    public async Task<VerificationReport> VerifyAsync(CancellationToken ct)
    {
        var checks = new List<VerificationCheck>();
        NpgsqlConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(ct);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            checks.Add(new("connectivity", false, $"cannot connect: {exception.GetType().Name}"));
            return new VerificationReport(false, checks);
        }

        await using (connection)
        {
            // As the worker's role, in a transaction (nothing stays on the pooled session).
            NpgsqlTransaction transaction;
            try
            {
                transaction = await connection.BeginAsMaintenanceAsync(ct);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.InvalidParameterValue)
            {
                checks.Add(new("connectivity", true, $"PostgreSQL {connection.PostgreSqlVersion}"));
                checks.Add(new("row-level security", false,
                    $"{connection.UserName} cannot act as {ScopedBatch.MaintenanceRole}: run database/migrate.sh, then GRANT nanobanana_api, nanobanana_maintenance TO {connection.UserName}"));
                return new VerificationReport(false, checks);
            }

            await using var rollback = transaction;

            checks.Add(new("connectivity", true, $"PostgreSQL {connection.PostgreSqlVersion}"));
            checks.Add(await CheckMigrationsAsync(connection, ct));
            checks.Add(await CheckRoutinesAsync(connection, ct));
            checks.Add(Expect("tables", SchemaExpectations.Tables,
                await NamesAsync(connection, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", ct)));
            checks.Add(Expect("indexes", SchemaExpectations.Indexes,
                await NamesAsync(connection, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()", ct)));
            checks.Add(Expect("constraints", SchemaExpectations.Constraints,
                await NamesAsync(connection, "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass('generations')", ct)));
            checks.Add(Expect("triggers", SchemaExpectations.Triggers,
                await NamesAsync(connection, "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('generations') AND tgenabled <> 'D'", ct)));
            checks.Add(await CheckRowLevelSecurityAsync(connection, ct));
            checks.Add(await CheckRolePrivilegesAsync(connection, ct));
        }

        return new VerificationReport(checks.All(c => c.Ok), checks);
    }

    private static async Task<VerificationCheck> CheckMigrationsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var expected = Shipped("migrations/");
        Dictionary<string, string> applied;
        try
        {
            await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            applied = new Dictionary<string, string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct))
            {
                applied[reader.GetString(0)] = reader.GetString(1);
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return new("migrations", false, "schema_migrations is missing: run database/migrate.sh");
        }

        var problems = new List<string>();
        var missing = expected.Keys.Where(v => !applied.ContainsKey(v)).Order().ToList();
        if (missing.Count > 0)
        {
            problems.Add($"not applied: {string.Join(", ", missing)} (run database/migrate.sh)");
        }

        var changed = expected.Where(e => applied.TryGetValue(e.Key, out var sum) && sum != e.Value).Select(e => e.Key).Order().ToList();
        if (changed.Count > 0)
        {
            problems.Add($"applied from a different file: {string.Join(", ", changed)}");
        }

        var unknown = applied.Keys.Where(v => !expected.ContainsKey(v)).Order().ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"applied but unknown to this build: {string.Join(", ", unknown)} (is the app older than the database?)");
        }

        return problems.Count == 0
            ? new("migrations", true, $"{applied.Count} applied: {string.Join(", ", applied.Keys.Order())}")
            : new("migrations", false, string.Join("; ", problems));
    }

    private static async Task<VerificationCheck> CheckRowLevelSecurityAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var problems = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('generations')", connection))
        {
            if (await command.ExecuteScalarAsync(ct) is not true)
            {
                problems.Add("row-level security is disabled on generations (ALTER TABLE generations ENABLE ROW LEVEL SECURITY)");
            }
        }

        var policies = await NamesAsync(connection, "SELECT policyname FROM pg_policies WHERE tablename = 'generations'", ct);
        problems.AddRange(SchemaExpectations.Policies.Where(p => !policies.Contains(p)).Select(p => $"policy missing: {p}"));

        var memberships = await NamesAsync(connection,
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(@roles) AND pg_has_role(session_user, oid, 'MEMBER')", ct,
            new NpgsqlParameter("roles", SchemaExpectations.Roles.ToArray()));
        problems.AddRange(SchemaExpectations.Roles.Where(r => !memberships.Contains(r))
            .Select(r => $"{r} is missing or not granted to {connection.UserName} (GRANT {r} TO {connection.UserName})"));

        return problems.Count == 0
            ? new("row-level security", true, $"enabled; policies {string.Join(", ", SchemaExpectations.Policies)}")
            : new("row-level security", false, string.Join("; ", problems));
    }

    /// <summary>
    /// Row-level security holds only for roles it applies to: a superuser, a role with BYPASSRLS, and a
    /// table's owner (or a role holding the owner's privileges) all pass it by. The roles the app's
    /// statements take on must be none of these.
    /// </summary>
    private static async Task<VerificationCheck> CheckRolePrivilegesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                   ARRAY(SELECT c.relname::text FROM pg_class c
                         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
                           AND c.relname = ANY(@tables) AND pg_has_role(r.oid, c.relowner, 'USAGE')
                         ORDER BY 1) AS owned
            FROM pg_roles r
            WHERE r.rolname = ANY(@roles)
            ORDER BY r.rolname
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter("roles", SchemaExpectations.Roles.ToArray()));
        command.Parameters.Add(new NpgsqlParameter("tables", SchemaExpectations.Tables.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var problems = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            var role = reader.GetString(reader.GetOrdinal("rolname"));
            if (reader.GetBoolean(reader.GetOrdinal("rolsuper")))
            {
                problems.Add($"{role} is a superuser (ALTER ROLE {role} NOSUPERUSER)");
            }

            if (reader.GetBoolean(reader.GetOrdinal("rolbypassrls")))
            {
                problems.Add($"{role} has BYPASSRLS (ALTER ROLE {role} NOBYPASSRLS)");
            }

            var owned = reader.GetFieldValue<string[]>(reader.GetOrdinal("owned"));
            if (owned.Length > 0)
            {
                problems.Add($"{role} owns or holds the owner's rights on {string.Join(", ", owned)} (the migrating user must own them)");
            }
        }

        return problems.Count == 0
            ? new("role privileges", true, $"{string.Join(", ", SchemaExpectations.Roles)}: no superuser, no BYPASSRLS, own no table")
            : new("role privileges", false, string.Join("; ", problems));
    }

    /// <summary>database/migrations/*.sql as embedded at build, with the same sha256 migrate.sh records.</summary>
    // The routines (database/routines: the trigger functions) are re-applied by migrate.sh whenever their file changes,
    // so a database is right when each one's recorded checksum is this build's.
    private static async Task<VerificationCheck> CheckRoutinesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var expected = Shipped("routines/");
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await using var command = new NpgsqlCommand("SELECT name, checksum FROM schema_routines", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                applied[reader.GetString(0)] = reader.GetString(1);
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return new("routines", false, "schema_routines is missing: run database/migrate.sh");
        }

        var stale = expected.Where(e => !applied.TryGetValue(e.Key, out var sum) || sum != e.Value).Select(e => e.Key).Order().ToList();
        return stale.Count == 0
            ? new("routines", true, $"{expected.Count} current: {string.Join(", ", expected.Keys.Order())}")
            : new("routines", false, $"not current: {string.Join(", ", stale)} (run database/migrate.sh)");
    }

    /// <summary>The SQL files this build ships under <paramref name="folder"/> (embedded resources), by name, with their SHA-256.</summary>
    private static Dictionary<string, string> Shipped(string folder)
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .ToDictionary(
                n => n[folder.Length..^".sql".Length],
                n =>
                {
                    using var stream = assembly.GetManifestResourceStream(n)!;
                    return Convert.ToHexStringLower(SHA256.HashData(stream));
                },
                StringComparer.Ordinal);
    }

    private static VerificationCheck Expect(string name, IReadOnlyList<string> expected, IReadOnlySet<string> present)
    {
        var missing = expected.Where(e => !present.Contains(e)).ToList();
        return missing.Count == 0
            ? new(name, true, $"{expected.Count} present")
            : new(name, false, $"missing: {string.Join(", ", missing)}");
    }

    private static async Task<IReadOnlySet<string>> NamesAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

public sealed record VerificationReport(bool Healthy, IReadOnlyList<VerificationCheck> Checks);

public sealed record VerificationCheck(string Name, bool Ok, string Detail);
