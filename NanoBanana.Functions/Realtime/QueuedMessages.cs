namespace NanoBanana.Functions.Realtime;

/// <summary>
/// "A queue message was written to the outbox": a coalescing wake-up for the outbox dispatcher, rung by
/// the LISTEN session (any instance's create or retry, migration 020) and by this instance's API right
/// after its own commit (so its message does not wait on the session). Many in a burst make one pass.
/// </summary>
public sealed class QueuedMessages : IDisposable
{
    private readonly SemaphoreSlim _rung = new(0, 1);

    public void Signal()
    {
        try
        {
            _rung.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already rung: the next pass takes this message too.
        }
    }

    /// <summary>Returns when rung, or once <paramref name="timeout"/> has passed on <paramref name="clock"/> (the sweep's turn).</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, ct);
        try
        {
            await _rung.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Not rung in time: sweep.
        }
    }

    public void Dispose() => _rung.Dispose();
}
