using BenchmarkDotNet.Attributes;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Benchmarks.Micro;

/// <summary>One generation read as a poll reads it, on a real Postgres: the whole row, or only what a conditional poll needs.</summary>
[MemoryDiagnoser]
public class RowReadBenchmarks
{
    private TestDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;
    private ApiRoleStore _store = null!;
    private BenchUser _user = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _dataSource = new NpgsqlDataSourceBuilder(_database.ConnectionString) { ConnectionStringBuilder = { NoResetOnClose = true } }.Build();
        _store = new ApiRoleStore(_dataSource);
        _user = (await BenchRows.SeedAsync(_dataSource, new SeedRequest("bench-row-", 1, 1, 0)))[0];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<Generation?> WholeRow() => _store.FindAsync(_user.UserId, _user.Id!.Value, CancellationToken.None);

    [Benchmark]
    public Task<GenerationVersion?> VersionOnly() => _store.FindVersionAsync(_user.UserId, _user.Id!.Value, CancellationToken.None);
}
