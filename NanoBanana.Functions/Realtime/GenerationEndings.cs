namespace NanoBanana.Functions.Realtime;

/// <summary>
/// "A generation ended and someone is to be told": a coalescing wake-up for the notification
/// dispatcher, rung by the LISTEN session. Many endings in a burst make one pass, not one each.
/// </summary>
public sealed class GenerationEndings : IDisposable
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
            // Already rung: the next pass takes this ending too.
        }
    }

    public Task WaitAsync(CancellationToken ct) => _rung.WaitAsync(ct);

    public void Dispose() => _rung.Dispose();
}
