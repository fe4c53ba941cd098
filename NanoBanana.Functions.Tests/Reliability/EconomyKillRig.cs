using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Economy;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// The economy lane under a real process kill: generations waiting on a database of their own, the economy sweep
/// in a process the test SIGKILLs while the Gemini fake (or a gate before the blob store, or a table lock) holds it
/// at one step, then a fresh instance whose clock is past the lease driving everything to its end, and
/// <see cref="EconomyKillVerifier"/> checking that nothing was lost and nothing paid for twice.
/// </summary>
internal sealed class EconomyKillRig : IAsyncDisposable
{
    /// <summary>Three generations in jobs of two: two shards, so "one job per shard" has two shards to count.</summary>
    public const int Generations = 3;

    public const int Shards = 2;

    private const int LeaseSeconds = 10; // the smallest Economy__LeaseSeconds takes
    private const int PollSeconds = 1;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _settingsPath;
    private WorkerProcess? _worker;

    private EconomyKillRig(TestDatabase database, FakeGemini gemini, BlobGate gate, FunctionApp app, string settingsPath)
    {
        Database = database;
        Gemini = gemini;
        Gate = gate;
        App = app;
        _settingsPath = settingsPath;
    }

    public TestDatabase Database { get; }

    public FakeGemini Gemini { get; }

    public FakeGeminiBatch Batch => Gemini.Batch;

    /// <summary>In front of the blob store for the worker process (not for the instance that recovers).</summary>
    public BlobGate Gate { get; }

    /// <summary>The app the phones create through (its clock is the real one; it runs no sweep).</summary>
    public FunctionApp App { get; }

    public List<Guid> Created { get; } = [];

    public static async Task<EconomyKillRig> StartAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var gemini = await FakeGemini.StartAsync();
        var gate = await BlobGate.StartAsync();
        var app = await FunctionApp.StartWithGeminiAsync(gemini, settings =>
        {
            settings["Economy:GatherMinutes"] = "0"; // whatever waits goes out at the next sweep
            settings["Economy:MaxRequestsPerJob"] = (Generations - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Economy:PollSeconds"] = PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Economy:LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }, database);
        await RigAudit.InstallAsync(app);
        var worker = new Dictionary<string, string?>(app.Settings) { ["AzureWebJobsStorage"] = gate.ConnectionString };
        var path = Path.Combine(Path.GetTempPath(), $"nanobanana-economy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(worker));
        return new EconomyKillRig(database, gemini, gate, app, path);
    }

    /// <summary>The generations, one owner each, waiting in the economy lane.</summary>
    public async Task CreateAsync()
    {
        for (var i = 0; i < Generations; i++)
        {
            var response = await App.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = $"an economy banana {i}", speed = "economy" });
            Assert.True(response.Status == StatusCodes.Status202Accepted, response.ToString());
            Created.Add(response.Generation.Id);
        }
    }

    public async Task StartWorkerAsync() => _worker = await WorkerProcess.StartAsync(_settingsPath, "economy-host");

    /// <summary>SIGKILLs the worker once <paramref name="held"/> is held, then lets the request go (to a dead connection).</summary>
    public async Task KillWhenHeldAsync(HeldRequest held, Func<Task>? before = null)
    {
        try
        {
            await held.Reached.WaitAsync(Patience);
            if (before is not null)
            {
                await before();
            }

            await KillAsync();
        }
        finally
        {
            held.Release(); // also when the test fails: a held request would keep its server from stopping
        }
    }

    public async Task KillAsync()
    {
        await _worker!.KillAsync();
        await _worker.DisposeAsync();
        _worker = null;
    }

    /// <summary>Until <paramref name="sql"/> (a count) reaches <paramref name="expected"/>: a state the worker is seen to be in.</summary>
    public async Task WaitForAsync(string sql, long expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        long seen;
        while ((seen = await App.ScalarAsync(sql)) != expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"after {Patience.TotalSeconds} s, {seen} (not {expected}) from: {sql}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Every shard is open at Google and recorded here; then Google finishes them all.</summary>
    public async Task SucceedWhenSubmittedAsync()
    {
        await WaitForAsync("SELECT count(*) FROM economy_jobs WHERE state = 'open'", Shards);
        foreach (var job in Batch.Jobs.Values)
        {
            Batch.Succeed(job);
        }
    }

    /// <summary>
    /// Holds economy_jobs against every statement of the batcher (its first, the recovery look-up, takes a row
    /// lock on it): a sweep that starts stops before its intent. Dispose to let go.
    /// </summary>
    public async Task<NpgsqlConnection> LockJobsAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE economy_jobs IN EXCLUSIVE MODE", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>
    /// The server side of a killed process's statement that waits on a lock: Postgres notices the client is gone
    /// only when it next writes to it, so it is ended as TCP keepalive would end it, before the lock goes.
    /// </summary>
    public Task<long> EndWaitingSessionsAsync() => App.ScalarAsync("""
        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
        """);

    /// <summary>
    /// Another instance, its clock past the killed one's leases, runs the economy timer until every generation
    /// ended (Google finishing each job it is sent); a sweep per poll interval, as many as it takes, at most ten.
    /// </summary>
    /// <param name="at">The other instance's clock at its first sweep; by default past every lease the killed one took.</param>
    /// <returns>How many sweeps it took; -1 when some generation had still not ended.</returns>
    public async Task<int> RecoverAsync(DateTimeOffset? at = null)
    {
        var clock = new FakeTimeProvider(at ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + LeaseSeconds + 5));
        await using var next = FunctionApp.AnotherInstance(App, clock);
        for (var sweep = 1; sweep <= 10; sweep++)
        {
            await next.Function<EconomyFunctions>().Sweep(new TimerInfo(), CancellationToken.None);
            foreach (var job in Batch.Jobs.Values.Where(j => j.State == "BATCH_STATE_PENDING"))
            {
                Batch.Succeed(job);
            }

            if (await App.ScalarAsync("SELECT count(*) FROM generations WHERE status IN ('pending', 'processing')") == 0
                && await App.ScalarAsync("SELECT count(*) FROM economy_jobs WHERE state <> 'done'") == 0)
            {
                return sweep;
            }

            clock.Advance(TimeSpan.FromSeconds(PollSeconds + 1));
        }

        return -1;
    }

    /// <summary>When the hold on the job of the generation in processing ends, and when that generation's claim does.</summary>
    public async Task<(DateTimeOffset JobHeldUntil, DateTimeOffset ClaimedUntil)> LeasesOfTheClaimAsync()
    {
        await using var command = App.DataSource.CreateCommand("""
            SELECT j.claimed_until, g.lease_expires_at FROM generations g JOIN economy_jobs j ON j.id = g.economy_job_id
            WHERE g.status = 'processing'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no generation in processing");
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<string> SummaryAsync() =>
        $"jobs at Google {Batch.Jobs.Count}, create requests {Batch.Creates}, uploads {Uploads}; rows: " + string.Join("; ", await RowsSummaryAsync());

    /// <summary>Finished uploads (the file's bytes) the fake was sent.</summary>
    public int Uploads => Batch.Requests.Count(r => r.Headers.GetValueOrDefault("X-Goog-Upload-Command") == "upload, finalize");

    private async Task<List<string>> RowsSummaryAsync()
    {
        await using var command = App.DataSource.CreateCommand("SELECT id, status, lane, attempt, paid_calls FROM generations ORDER BY created_at");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetGuid(0):N} {reader.GetString(1)} {reader.GetString(2)} attempt {reader.GetInt32(3)} paid {reader.GetInt32(4)}");
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        File.Delete(_settingsPath);
        await App.DisposeAsync();
        await Gate.DisposeAsync();
        await Gemini.DisposeAsync();
        await Database.DisposeAsync();
    }
}
