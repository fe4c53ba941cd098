using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Lifecycle;

/// <summary>
/// The status sets are written once per language (Lifecycle/GenerationStatuses in C#, types.ts in the client) and
/// copied into the schema by migrations, which cannot import C#. Each copy is read back from a migrated database
/// (constraints, partial indexes, trigger functions as Postgres holds them) and from openapi.json, and must equal its
/// C# set: a new status that one copy misses fails here, not in production.
/// </summary>
public sealed partial class StatusSetTests
{
    public static TheoryData<string, string> Constraints() => new()
    {
        { "generations_status_check", "all" },
        { "generations_terminal_completed_at_check", "terminal" },
        { "generations_cancel_outcome_check", "stopped" },
        { "generations_api_key_active_check", "active" },
        { "generation_events_status_check", "terminal" },
    };

    public static TheoryData<string, string> PartialIndexes() => new()
    {
        { "generations_active_idx", "active" },
        { "generations_active_deadline_idx", "active" },
        { "generations_economy_promise_idx", "active" },
    };

    /// <summary>Each trigger function's status lists, in the order they are written.</summary>
    public static TheoryData<string, string[]> TriggerFunctions() => new()
    {
        { "generations_record_ending", ["terminal", "active"] },
        { "generations_erase_api_key", ["active"] },
        { "generations_record_event", ["active"] },
    };

    [Fact]
    public void TheSets_PartitionTheStatuses()
    {
        Assert.Equal(GenerationStatuses.All.ToHashSet(), GenerationStatuses.Active.Union(GenerationStatuses.Terminal).ToHashSet());
        Assert.Empty(GenerationStatuses.Active.Intersect(GenerationStatuses.Terminal));
        Assert.Subset(GenerationStatuses.Terminal.ToHashSet(), GenerationStatuses.Retryable.ToHashSet());
        Assert.Subset(GenerationStatuses.Retryable.ToHashSet(), GenerationStatuses.Stopped.ToHashSet());
        Assert.Equal("('pending', 'processing')", GenerationStatuses.ActiveSql);
        Assert.Equal("('completed', 'failed', 'cancelled', 'expired')", GenerationStatuses.TerminalSql);
    }

    [Theory]
    [MemberData(nameof(Constraints))]
    public async Task EachCheckConstraint_ListsItsSet(string constraint, string set)
    {
        var definition = await ScalarAsync("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = @name", constraint);

        Assert.Equal(Named(set), StatusesIn(definition));
    }

    [Theory]
    [MemberData(nameof(PartialIndexes))]
    public async Task EachPartialIndex_CoversItsSet(string index, string set)
    {
        var predicate = await ScalarAsync("SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = @name::regclass", index);

        Assert.Equal(Named(set), StatusesIn(predicate));
    }

    [Theory]
    [MemberData(nameof(TriggerFunctions))]
    public async Task EachTriggerFunction_ListsTheSets(string function, string[] sets)
    {
        var body = await ScalarAsync("SELECT prosrc FROM pg_proc WHERE proname = @name", function);

        var lists = InLists().Matches(body).Select(match => StatusesIn(match.Value)).ToList();

        Assert.Equal(sets.Select(Named), lists);
    }

    [Fact]
    public async Task EveryTriggerOnTheLifecycleTables_IsDeclared_AndDefinedInTheRoutinesFile()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT t.tgrelid::regclass::text, t.tgname, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND t.tgrelid IN ('generations'::regclass, 'queue_outbox'::regclass)
            """, connection);
        var actual = new List<(string Table, string Name, string Function)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                actual.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var routines = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot, "database", "routines", "generation_triggers.sql"));
        var declared = GenerationTriggers.All.Select(t => $"{t.Table}.{t.Name}").Order().ToList();
        Assert.Equal(declared, actual.Select(t => $"{t.Table}.{t.Name}").Order());
        Assert.Equal(declared, RoutineTriggers().Matches(routines).Select(m => $"{m.Groups[2].Value}.{m.Groups[1].Value}").Order());
        Assert.All(actual, trigger => Assert.Contains($"CREATE OR REPLACE FUNCTION {trigger.Function}(", routines, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRoutinesFile_IsWhatTheDatabaseRuns_AndRecordedWithItsChecksum()
    {
        var file = Path.Combine(TestSettings.RepositoryRoot, "database", "routines", "generation_triggers.sql");
        var routines = File.ReadAllText(file);

        // Each function's body as Postgres holds it is the file's (the migrations' older copies were replaced).
        foreach (var function in GenerationTriggerFunctions().Matches(routines).Select(m => m.Groups[1].Value))
        {
            var body = await ScalarAsync("SELECT prosrc FROM pg_proc WHERE proname = @name", function);
            Assert.Contains(body.Trim(), routines, StringComparison.Ordinal);
        }

        var recorded = await ScalarAsync("SELECT checksum FROM schema_routines WHERE name = @name", "generation_triggers");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))), recorded);
    }

    [Fact]
    public void TheApiDescription_CarriesTheSets()
    {
        var schema = OpenApiContract.Document["components"]!["schemas"]!["GenerationStatus"]!;
        var sets = schema["x-status-sets"]!.AsObject();

        Assert.Equal(GenerationStatuses.All.Select(s => s.ToName()), schema["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(GenerationStatuses.Named.Keys.Order(), sets.Select(p => p.Key).Order());
        foreach (var (name, set) in GenerationStatuses.Named)
        {
            Assert.Equal(Names(set), sets[name]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet());
        }
    }

    private static HashSet<string> Named(string set) => set == "all" ? Names(GenerationStatuses.All) : Names(GenerationStatuses.Named[set]);

    private static HashSet<string> Names(IEnumerable<GenerationStatus> set) => set.Select(s => s.ToName()).ToHashSet();

    private static HashSet<string> StatusesIn(string sql) =>
        QuotedStatus().Matches(sql).Select(match => match.Groups[1].Value).ToHashSet();

    private static async Task<string> ScalarAsync(string sql, string name)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("name", name) } };
        return await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException($"{name} is not in the migrated schema");
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(await TestDatabase.SharedConnectionStringAsync());
        await connection.OpenAsync();
        return connection;
    }

    [GeneratedRegex(@"'(pending|processing|completed|failed|cancelled|expired)'")]
    private static partial Regex QuotedStatus();

    [GeneratedRegex(@"CREATE OR REPLACE TRIGGER (\w+) .*? ON (\w+)", RegexOptions.Singleline)]
    private static partial Regex RoutineTriggers();

    [GeneratedRegex(@"CREATE OR REPLACE FUNCTION (\w+)\(")]
    private static partial Regex GenerationTriggerFunctions();

    // A status list as the functions write it: status IN (...) or NOT IN (...).
    [GeneratedRegex(@"status (?:NOT )?IN \(([^)]*)\)")]
    private static partial Regex InLists();
}
