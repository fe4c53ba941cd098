using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Notifications;

/// <summary>
/// Moves the outbox to the notification queue. The database writes an outbox row in the same
/// transaction that ends a generation (a trigger, so no ending can skip it and a crash cannot lose
/// it) and NOTIFYs; this takes due rows (SKIP LOCKED: instances split them) and sends one message
/// each. Run at once when the LISTEN session hears of an ending, and by the NotificationSweep timer
/// for whatever a crash or an outage left: rows never sent, or sent long ago and never handled.
/// </summary>
public sealed class NotificationDispatcher(
    NotificationStore store,
    NotificationQueue queue,
    IOptions<MaintenanceOptions> maintenance,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger)
{
    private const int BatchSize = 100;

    /// <returns>How many messages went out.</returns>
    public async Task<int> DispatchAsync(CancellationToken ct)
    {
        var sent = 0;
        var maxDispatches = options.Value.MaxDispatches;
        var start = clock.GetUtcNow();
        foreach (var id in await store.GiveUpSpentEventsAsync(start, start - maintenance.Value.ResendPendingAfter, maxDispatches, ct))
        {
            logger.LogWarning("Notification event {EventId} given up after {Dispatches} dispatches", id, maxDispatches);
        }

        List<long> due;
        do
        {
            var now = clock.GetUtcNow();
            due = await store.TakeDueEventsAsync(now, now - maintenance.Value.ResendPendingAfter, BatchSize, maxDispatches, ct);
            foreach (var id in due)
            {
                try
                {
                    await queue.SendAsync(new NotificationMessage(id), delay: null, ct);
                    sent++;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Notification event {EventId}: message not sent; the next pass tries again", id);
                    await store.MarkUnsentAsync(id, CancellationToken.None);
                }
            }
        }
        while (due.Count == BatchSize);

        return sent;
    }
}

/// <summary>Runs the dispatcher each time the LISTEN session hears that a generation ended.</summary>
public sealed class NotificationDispatchLoop(GenerationEndings endings, NotificationDispatcher dispatcher, ILogger<NotificationDispatchLoop> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await endings.WaitAsync(stoppingToken);
                await dispatcher.DispatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The NotificationSweep timer picks up what this pass could not.
                logger.LogWarning(exception, "Notification dispatch failed; the sweep will retry");
            }
        }
    }
}
