using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;
using Npgsql;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// The benchmark's handle on a front started with <c>front --bench</c>, on the control server: seeded
/// users and rows, the process's allocation and CPU counters, the platform floors run from this same
/// process, the pipeline's timings from the rows, a cleanup run, and Postgres' statement statistics.
/// </summary>
internal static class BenchControl
{
    public static void Map(WebApplication server, FunctionApp app, GeminiControl gemini)
    {
        var connectionString = app.Configuration["Postgres:ConnectionString"]!;
        var cleanup = new CleanupRun(app);

        server.MapPost("/bench/seed", async (SeedRequest request) => Results.Ok(await BenchRows.SeedAsync(app.DataSource, request)));
        server.MapPost("/bench/expired", async (int rows) => Results.Ok(new { rows = await BenchRows.InsertExpiredAsync(app.DataSource, rows) }));
        server.MapGet("/bench/counters", () => Results.Ok(ProcessCounters.Read()));
        server.MapGet("/bench/generations", async (string owners) => Results.Ok(await BenchRows.PipelineAsync(app.DataSource, owners)));
        server.MapPost("/bench/generations/cancel-pending", async (string owners) =>
        {
            var cancelled = await BenchRows.CancelPendingAsync(app.DataSource, owners);
            await app.RawQueue.ClearMessagesAsync(); // their messages would only find a cancelled row; the claimed ones finish
            return Results.Ok(cancelled);
        });

        server.MapPost("/bench/floors/enqueue", async (int connections, double seconds, long count) =>
            Results.Ok(await PlatformFloors.EnqueueAsync(connections, TimeSpan.FromSeconds(seconds), count)));
        server.MapPost("/bench/floors/queue", async (int connections, int count, double seconds) =>
            Results.Ok(await PlatformFloors.QueueRoundTripAsync(connections, count, TimeSpan.FromSeconds(seconds))));
        server.MapPost("/bench/floors/postgres", async (int connections, double seconds, long count, string owners) =>
            Results.Ok(await PlatformFloors.PostgresLookupAsync(connectionString, await BenchRows.IdsAsync(app.DataSource, owners), connections,
                TimeSpan.FromSeconds(seconds), count)));

        server.MapPost("/bench/cleanup", () => cleanup.Start());
        server.MapGet("/bench/cleanup", () => Results.Ok(cleanup.State()));

        server.MapPost("/bench/statements/reset", async () => Results.Ok(await StatementStats.ResetAsync(app.DataSource)));
        server.MapGet("/bench/statements", async (int top) => Results.Ok(await StatementStats.TopAsync(app.DataSource, top)));
    }

    /// <summary>The daily cleanup, run once in the background while the benchmark polls.</summary>
    private sealed class CleanupRun(FunctionApp app)
    {
        private Task<CleanupReport>? _run;
        private Stopwatch _clock = new();

        public IResult Start()
        {
            if (_run is { IsCompleted: false })
            {
                return Results.Conflict();
            }

            _clock = Stopwatch.StartNew();
            var service = app.Services.GetRequiredService<CleanupService>();
            _run = Task.Run(() => service.RunAsync(DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));
            return Results.Accepted();
        }

        public object State() => _run switch
        {
            null => new { running = false },
            { IsCompleted: false } => new { running = true, seconds = _clock.Elapsed.TotalSeconds },
            { IsFaulted: true } => new { running = false, error = _run.Exception!.GetBaseException().Message },
            _ => (object)new { running = false, seconds = _clock.Elapsed.TotalSeconds, report = _run.Result },
        };
    }
}

/// <summary>The process's cumulative counters; the benchmark takes their difference across a run.</summary>
internal sealed record ProcessCounters(long AllocatedBytes, double CpuMilliseconds, int Gen0, int Gen1, int Gen2)
{
    public static ProcessCounters Read() => new(
        GC.GetTotalAllocatedBytes(precise: true),
        Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds,
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
}

/// <summary>
/// pg_stat_statements, where the server loads it (scripts/services.sh does): which statements the
/// app ran, how often, and for how long.
/// </summary>
internal static class StatementStats
{
    public static async Task<bool> ResetAsync(NpgsqlDataSource dataSource)
    {
        try
        {
            await using var create = dataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();");
            await create.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException)
        {
            return false; // not in shared_preload_libraries: the report says so
        }
    }

    public static async Task<List<StatementStat>> TopAsync(NpgsqlDataSource dataSource, int top)
    {
        var stats = new List<StatementStat>();
        try
        {
            await using var command = dataSource.CreateCommand("""
                SELECT calls, total_exec_time, mean_exec_time, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 160)
                FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'
                ORDER BY total_exec_time DESC LIMIT $1
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = top });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stats.Add(new StatementStat(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetString(4)));
            }
        }
        catch (PostgresException)
        {
        }

        return stats;
    }
}

public sealed record StatementStat(long Calls, double TotalMs, double MeanMs, long Rows, string Query);
