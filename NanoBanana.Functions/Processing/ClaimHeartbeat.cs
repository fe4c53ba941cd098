using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Processing;

/// <summary>Starts the heartbeat of each claim a worker takes.</summary>
public sealed class ClaimHeartbeats(
    MaintenanceRoleStore store, GenerationChanges changes, IOptions<ProcessingOptions> options, TimeProvider clock, ILogger<ClaimHeartbeat> logger)
{
    /// <param name="host">The invocation's token: the host stopping (drain, scale-in, deploy) or timing the function out.</param>
    public ClaimHeartbeat Start(Generation claimed, CancellationToken host) => new(store, changes, claimed, options.Value, clock, logger, host);
}

/// <summary>
/// Keeps a claim alive for as long as its worker works on it (input download, the Gemini call,
/// result upload): every Processing__LeaseRenewalSeconds one conditional UPDATE, fenced on the
/// claim's attempt, moves the lease forward. So the lease can be short (a dead worker is noticed in
/// seconds) while a call may run as long as its model needs. When the UPDATE finds the claim gone
/// (cancelled, deleted, or taken over after a stall), <see cref="Token"/> is cancelled: the Gemini
/// request in flight is aborted rather than finished and thrown away.
/// A change of the row announced on the instance's LISTEN session (a cancel, a deadline sweep, a
/// delete; also the worker's own drafts, each costing one early renewal) beats at once, so a cancel
/// stops the call in milliseconds rather than at the next beat.
/// </summary>
public sealed class ClaimHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _work;
    private readonly CancellationTokenSource _done = new();
    private readonly Task _beats;
    private volatile bool _lost;

    internal ClaimHeartbeat(
        MaintenanceRoleStore store, GenerationChanges changes, Generation claimed, ProcessingOptions settings, TimeProvider clock, ILogger logger,
        CancellationToken host)
    {
        _work = CancellationTokenSource.CreateLinkedTokenSource(host);
        _beats = BeatAsync(store, changes, claimed, settings, clock, logger);
    }

    /// <summary>The work under this claim: cancelled when the claim is lost or the host stops.</summary>
    public CancellationToken Token => _work.Token;

    /// <summary>The claim is no longer this worker's: nothing it does from now on may be kept.</summary>
    public bool Lost => _lost;

    /// <summary>
    /// No more beats: the worker is about to write the claim's outcome (a beat after it would find the
    /// claim gone and say so). The work token stays as it is.
    /// </summary>
    public async Task StopAsync()
    {
        await _done.CancelAsync();
        await _beats;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _done.Dispose();
        _work.Dispose();
    }

    private async Task BeatAsync(
        MaintenanceRoleStore store, GenerationChanges changes, Generation claimed, ProcessingOptions settings, TimeProvider clock, ILogger logger)
    {
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(_work.Token, _done.Token);
        // Subscribed before each renewal reads the row: a cancel that commits during the renewal still
        // wakes the next beat at once. Woken early too when the LISTEN session reconnects (a change may
        // have been missed); otherwise the regular beat.
        var changed = changes.Subscribe(claimed.Id);
        try
        {
            while (true)
            {
                await changed.WaitAsync(settings.LeaseRenewal, clock, beating.Token);
                changed.Dispose();
                changed = changes.Subscribe(claimed.Id);
                try
                {
                    if (await store.RenewLeaseAsync(claimed, clock.GetUtcNow(), settings.Lease, beating.Token))
                    {
                        logger.LogDebug("Generation {GenerationId} attempt {Attempt}: lease renewed", claimed.Id, claimed.Attempt);
                        continue;
                    }

                    _lost = true;
                    logger.LogWarning("Generation {GenerationId} attempt {Attempt}: the claim is gone (cancelled, deleted or taken over); stopping its work",
                        claimed.Id, claimed.Attempt);
                    await _work.CancelAsync();
                    return;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The lease outlasts two missed beats; the next one may get through.
                    logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt}: lease not renewed; trying again at the next beat",
                        claimed.Id, claimed.Attempt);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The work ended, or the host is stopping: no more beats.
        }
        finally
        {
            changed.Dispose();
        }
    }
}
