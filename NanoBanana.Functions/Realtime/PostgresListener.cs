using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using Npgsql;

namespace NanoBanana.Functions.Realtime;

/// <summary>
/// The instance's one LISTEN session. The database announces each change of a generation's version
/// (a trigger, whoever wrote it), each event appended to its log, and each ending someone is to be told
/// of; this fans the first two out to waiting requests (<see cref="GenerationChanges"/> by generation,
/// <see cref="OwnerEvents"/> by owner) and the third to the notification dispatcher, rings the queue
/// outbox's dispatcher for each message written (<see cref="QueuedMessages"/>), and remembers the
/// versions for polls answered from memory (<see cref="KnownVersions"/>).
/// A lost connection is made again, and on every (re)connect all waiters read again: no wake-up lost.
/// </summary>
public sealed class PostgresListener(
    IOptions<PostgresOptions> options,
    PostgresDataSources dataSources,
    GenerationChanges changes,
    OwnerEvents ownerEvents,
    GenerationEndings endings,
    QueuedMessages queued,
    KnownVersions versions,
    IOptions<KnownVersionsOptions> versionOptions,
    TimeProvider clock,
    ILogger<PostgresListener> logger) : BackgroundService
{
    /// <summary>
    /// A generation's version changed or it was deleted (migrations 007, 008): the payload is its id. Listened
    /// to by instances deployed before migration 017 only; this one listens to <see cref="VersionChannel"/>.
    /// </summary>
    public const string ChangedChannel = "nanobanana_generation_changed";

    /// <summary>As <see cref="ChangedChannel"/>, and more, with what a poll is judged on (migration 017, <see cref="VersionNotice"/>).</summary>
    public const string VersionChannel = "nanobanana_generation_version";
    public const string EndedChannel = "nanobanana_generation_ended";

    /// <summary>A generation's queue message was written to the outbox (migration 020): the payload is the queue's name.</summary>
    public const string QueuedChannel = "nanobanana_generation_queued";

    /// <summary>An event was appended (migration 014): the payload is "generation id:owner id".</summary>
    public const string EventChannel = "nanobanana_generation_event";

    /// <summary>How the session shows in pg_stat_activity.</summary>
    public const string ApplicationName = "nanobanana-listen";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Per session, inside the retry: a bad listen setting is logged and retried like a lost connection.
                await using var dataSource = ListenDataSource();
                await using var connection = dataSource.CreateConnection();
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {VersionChannel}; LISTEN {EndedChannel}; LISTEN {EventChannel}; LISTEN {QueuedChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                logger.LogInformation("Listening for generation changes (after {Failures} failed connections)", failures);
                failures = 0;
                // Whatever changed while nobody listened: every waiter reads again, both dispatchers look,
                // and polls are answered from memory again only for what this session announces.
                versions.SessionStarted();
                changes.PublishAll();
                ownerEvents.PublishAll();
                endings.Signal();
                queued.Signal();
                await using var probe = new NpgsqlCommand("SELECT 1", connection);
                var quiet = TimeSpan.FromSeconds(versionOptions.Value.ProbeSeconds);
                while (true)
                {
                    // Nothing arrived for a while: a round trip shows the session is still there (a dead
                    // peer that sent no FIN would otherwise go unnoticed until TCP keep-alive gives up).
                    if (!await connection.WaitAsync(quiet, stoppingToken))
                    {
                        await probe.ExecuteScalarAsync(stoppingToken);
                        versions.Proven();
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                versions.SessionLost();
                return;
            }
            catch (Exception exception)
            {
                // First, before anything can ask: what this session told may since have changed unannounced.
                versions.SessionLost();
                // Waiters keep waiting (their deadline still holds); the reconnect wakes them to read again.
                var delay = failures == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(MaxReconnectDelay.TotalSeconds, Math.Pow(2, failures - 1)));
                failures++;
                logger.LogWarning(exception, "The LISTEN connection failed; connecting again in {DelayMs} ms", (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        if (notification.Channel == EventChannel)
        {
            OnEvent(notification.Payload);
        }
        else if (notification.Channel == VersionChannel)
        {
            OnVersion(notification.Payload);
        }
        else if (notification.Channel == EndedChannel && Guid.TryParse(notification.Payload, out _))
        {
            endings.Signal();
        }
        else if (notification.Channel == QueuedChannel)
        {
            queued.Signal();
        }
    }

    private void OnVersion(string payload)
    {
        switch (VersionNotice.Parse(payload))
        {
            case VersionNotice.Changed changed:
                // Remembered before the wake-up, so a woken long-poll's next plain poll can already use it.
                versions.Record(changed.Id, changed.OwnerId, changed.Version);
                changes.Publish(changed.Id);
                break;
            case VersionNotice.Gone gone:
                versions.Forget(gone.Id);
                changes.Publish(gone.Id);
                break;
            default:
                // A purge, or a payload this version does not understand: nothing remembered can be trusted.
                versions.ForgetAll();
                break;
        }
    }

    private void OnEvent(string payload)
    {
        var split = payload.IndexOf(':', StringComparison.Ordinal);
        if (split > 0 && Guid.TryParse(payload.AsSpan(0, split), out var id))
        {
            changes.Publish(id);
            ownerEvents.Publish(payload[(split + 1)..]);
        }
    }

    // Its own session, never pooled: a broken one must not go back to a pool, and PgBouncer's
    // transaction mode cannot hold a LISTEN.
    private NpgsqlDataSource ListenDataSource()
    {
        var settings = options.Value;
        return dataSources.Build(settings.ListenConnectionString ?? settings.ConnectionString, connection =>
        {
            connection.ApplicationName = ApplicationName;
            connection.Pooling = false;
            connection.KeepAlive = 30;
        });
    }
}
