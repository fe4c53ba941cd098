using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Realtime;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Outbox;

/// <summary>
/// Moves the queue outbox to the generations queue, as <see cref="Notifications.NotificationDispatcher"/>
/// moves the notification outbox: the create and the retry write their message's entry with their row
/// (one transaction, migration 020) and answer after the commit; this takes due entries of this app's
/// queue (SKIP LOCKED: instances split them), sends their messages, a batch at a time with the sends in
/// parallel, and deletes the entries sent. One that failed is due again at the next pass; one whose
/// generation got a message some other way since (the repair, a hand-back) is dropped unsent.
/// </summary>
public sealed class QueueOutboxDispatcher(
    QueueOutboxStore store,
    GenerationQueue queue,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<QueueOutboxDispatcher> logger)
{
    private const int BatchSize = 100;

    // Azure Queue Storage has no batch send: one request a message, this many in flight.
    private const int SendsAtOnce = 16;

    /// <returns>What the pass did; it stops at the first batch with a failed send (the loop then waits a sweep).</returns>
    public async Task<OutboxPass> DispatchAsync(CancellationToken ct)
    {
        var settings = options.Value;
        int sent = 0, unsent = 0, spent = 0;
        List<OutboxEntry> due;
        do
        {
            var now = clock.GetUtcNow();
            due = await store.TakeDueAsync(queue.Name, now, now - settings.RetakeAfter, BatchSize, ct);
            var needed = due.Where(e => e.Needed).ToList();
            spent += due.Count - needed.Count;
            if (needed.Count == 0)
            {
                continue;
            }

            var (sentIds, unsentIds) = await SendAsync(needed, settings.SendBudget, ct);
            // Not cancelled with the pass: after a host's stop the entries not sent are handed back at once.
            await store.FinishAsync(sentIds, unsentIds, CancellationToken.None);
            sent += sentIds.Count;
            unsent += unsentIds.Count;
        }
        while (due.Count == BatchSize && unsent == 0);

        if (spent > 0)
        {
            logger.LogInformation("Queue outbox: {Spent} entries dropped unsent, their generations having had a message since or moved on", spent);
        }

        return new OutboxPass(sent, unsent, spent);
    }

    private async Task<(List<long> Sent, List<long> Unsent)> SendAsync(List<OutboxEntry> entries, TimeSpan budget, CancellationToken ct)
    {
        var went = new bool[entries.Count];
        Exception? firstFailure = null;
        // Cut off well before another instance may take the same entries again (Outbox__RetakeAfterSeconds).
        // Real time, not the app's clock: it bounds how long the network may take, not when anything is due.
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cut.CancelAfter(budget);
        await Parallel.ForEachAsync(Enumerable.Range(0, entries.Count), new ParallelOptions { MaxDegreeOfParallelism = SendsAtOnce }, async (i, _) =>
        {
            try
            {
                await queue.SendAsync(entries[i].GenerationId, cut.Token);
                went[i] = true;
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref firstFailure, exception, null);
            }
        });

        var sent = entries.Where((_, i) => went[i]).Select(e => e.Id).ToList();
        var unsent = entries.Where((_, i) => !went[i]).Select(e => e.Id).ToList();
        if (firstFailure is not null && !ct.IsCancellationRequested)
        {
            logger.LogWarning(firstFailure, "Queue outbox: {Unsent} queue messages not sent ({Sent} sent); they stay in the outbox, sent again in {SweepSeconds} s",
                unsent.Count, sent.Count, options.Value.SweepSeconds);
        }

        return (sent, unsent);
    }
}

/// <param name="Sent">Messages that went out.</param>
/// <param name="Unsent">Messages whose send failed: still in the outbox, due at the next pass.</param>
/// <param name="Spent">Entries dropped unsent: their generation had a message some other way since, or is no longer pending.</param>
public sealed record OutboxPass(int Sent, int Unsent, int Spent);

/// <summary>
/// Runs the dispatcher when a message is written (<see cref="QueuedMessages"/>: this instance's own create,
/// or any instance's NOTIFY) and at least every Outbox__SweepSeconds on the app's clock, which picks up
/// what a crash or an outage left. After a pass with a failure it waits a whole sweep, so a queue or a
/// database that is down is not tried again by every create.
/// </summary>
public sealed class QueueOutboxLoop(
    QueuedMessages queued, QueueOutboxDispatcher dispatcher, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<QueueOutboxLoop> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = options.Value.Sweep;
        try
        {
            // The first pass at once: what an instance that stopped before sending left behind.
            while (!stoppingToken.IsCancellationRequested)
            {
                bool failed;
                try
                {
                    failed = (await dispatcher.DispatchAsync(stoppingToken)).Unsent > 0;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    failed = true;
                    logger.LogWarning(exception, "Queue outbox pass failed; the next in {SweepSeconds} s", sweep.TotalSeconds);
                }

                if (failed)
                {
                    await Task.Delay(sweep, clock, stoppingToken);
                }
                else
                {
                    await queued.WaitAsync(sweep, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
