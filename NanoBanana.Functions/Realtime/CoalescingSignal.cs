namespace NanoBanana.Functions.Realtime;

/// <summary>
/// A coalescing wake-up for a dispatcher loop: any number of rings before the loop waits again make one
/// pass, not one each. Each kind of news has its own subclass, so each loop is woken by its own.
/// </summary>
public abstract class CoalescingSignal : IDisposable
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
            // Already rung: the next pass takes this news too.
        }
    }

    public Task WaitAsync(CancellationToken ct) => _rung.WaitAsync(ct);

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

    public void Dispose()
    {
        _rung.Dispose();
        GC.SuppressFinalize(this);
    }
}
