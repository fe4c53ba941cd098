using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Telemetry;
using Npgsql;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// The instance's one direct, unpooled session that says "this worker is alive": for each claim it
/// holds a session advisory lock (<see cref="GenerationTransitions.LivenessLockClass"/>, one key per
/// attempt). The kernel closes a dead process's sockets and Postgres drops that session's locks at
/// once, so the abandoned-claim sweep sees a crash in seconds. The session is pinged every second;
/// when it drops (pg_terminate_backend, a network cut, a restart) it is opened again and every lock
/// it held is taken again, well inside the sweep's grace, so a live instance loses nothing.
/// </summary>
public sealed class LivenessSession(
    IOptions<PostgresOptions> postgres, IOptions<ProcessingOptions> options, GenerationMetrics metrics, TimeProvider clock, ILogger<LivenessSession> logger) : BackgroundService
{
    /// <summary>How the session shows in pg_stat_activity.</summary>
    public const string ApplicationName = "nanobanana-liveness";

    /// <summary>How soon a dropped session is noticed while idle; the sweep's grace must outlast it plus a reconnect.</summary>
    internal static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(2);

    // One command at a time on the connection; the keys held (with how many claims hold each: two may hash alike).
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, int> _held = [];
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlConnection? _connection;

    public bool Enabled => options.Value.LivenessSession;

    /// <summary>Whether this instance may take work: the session is open (after its first attempt to open).</summary>
    public async Task<bool> IsUpAsync(CancellationToken ct)
    {
        await _firstAttempt.Task.WaitAsync(ct);
        return Volatile.Read(ref _connection) is not null;
    }

    /// <summary>Takes the claim's lock; null when the session is down or the lock is taken (the claim then rests on its lease).</summary>
    public async Task<LivenessHold?> HoldAsync(Generation claimed, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_connection is not { } connection)
            {
                return null;
            }

            await using var command = new NpgsqlCommand(
                $"SELECT k, pg_try_advisory_lock({GenerationTransitions.LivenessLockClass}, k) FROM {GenerationTransitions.LivenessKey} AS k", connection);
            command.Parameters.AddWithValue("claim", $"{claimed.Id:D}/{claimed.Attempt}");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var (key, locked) = (reader.GetInt32(0), reader.GetBoolean(1));
            if (!locked)
            {
                logger.LogWarning("Generation {GenerationId} attempt {Attempt}: its liveness lock is held by another session; the claim rests on its lease",
                    claimed.Id, claimed.Attempt);
                return null;
            }

            _held[key] = _held.GetValueOrDefault(key) + 1;
            return new LivenessHold(this, key);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
        {
            Drop(exception);
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task ReleaseAsync(int key)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_held.GetValueOrDefault(key) <= 1)
            {
                _held.Remove(key);
            }
            else
            {
                _held[key]--;
            }

            if (_connection is { } connection)
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({GenerationTransitions.LivenessLockClass}, @key)", connection);
                command.Parameters.AddWithValue("key", key);
                await command.ExecuteScalarAsync(CancellationToken.None);
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
        {
            Drop(exception); // the session's locks went with it
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            _firstAttempt.TrySetResult();
            return;
        }

        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = PingInterval;
                await _gate.WaitAsync(stoppingToken);
                try
                {
                    if (_connection is null)
                    {
                        await ConnectAsync(failures, stoppingToken);
                        failures = 0;
                    }
                    else
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    Drop(exception);
                    delay = failures == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(MaxReconnectDelay.TotalMilliseconds, 250 * Math.Pow(2, failures)));
                    failures++;
                }
                finally
                {
                    _firstAttempt.TrySetResult();
                    _gate.Release();
                }

                await Task.Delay(delay, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopping: the locks go with the session. Claims still running were handed back by now (graceful stop).
            await _gate.WaitAsync(CancellationToken.None);
            await DisposeConnectionAsync();
            metrics.LivenessSessionUp(false);
            _gate.Release();
        }
    }

    // Opens the session and takes back every lock this instance's claims still hold.
    private async Task ConnectAsync(int failures, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(ConnectionString());
        try
        {
            await connection.OpenAsync(ct);
            var keys = _held.SelectMany(held => Enumerable.Repeat(held.Key, held.Value)).ToArray();
            var lost = 0L;
            if (keys.Length > 0)
            {
                await using var relock = new NpgsqlCommand(
                    $"SELECT count(*) FILTER (WHERE NOT pg_try_advisory_lock({GenerationTransitions.LivenessLockClass}, k)) FROM unnest(@keys) AS k", connection);
                relock.Parameters.AddWithValue("keys", keys);
                lost = (long)(await relock.ExecuteScalarAsync(ct))!;
            }

            Volatile.Write(ref _connection, connection);
            metrics.LivenessSessionUp(true);
            logger.LogInformation("Liveness session open (after {Failures} failed attempts); {Locks} claim locks taken back, {Lost} held elsewhere",
                failures, keys.Length - lost, lost);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // Under the gate. The instance takes no new work until the session is open again.
    private void Drop(Exception exception)
    {
        metrics.LivenessSessionUp(false);
        if (_connection is null)
        {
            logger.LogWarning(exception, "Liveness session could not be opened; this instance takes no new work until it is");
            return;
        }

        logger.LogWarning(exception, "Liveness session lost with {Claims} claims; this instance takes no new work until it is open again", _held.Count);
        _ = DisposeConnectionAsync();
    }

    private async Task DisposeConnectionAsync()
    {
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            try
            {
                await connection.DisposeAsync();
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException)
            {
                logger.LogDebug(exception, "Liveness session closed with an error");
            }
        }
    }

    // Its own session, never pooled (a broken one must not go back to a pool; PgBouncer's
    // transaction mode cannot hold a session lock), direct to Postgres like the LISTEN session.
    private string ConnectionString()
    {
        var settings = postgres.Value;
        return new NpgsqlConnectionStringBuilder(settings.ListenConnectionString ?? settings.ConnectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            Timeout = 5,
            CommandTimeout = 5,
            KeepAlive = 10,
        }.ConnectionString;
    }
}

/// <summary>A claim's liveness lock: released when the claim ends (completed, failed, handed back or lost).</summary>
public sealed class LivenessHold(LivenessSession session, int key) : IAsyncDisposable
{
    public int Key => key;

    public async ValueTask DisposeAsync() => await session.ReleaseAsync(key);
}
