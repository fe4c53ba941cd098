namespace NanoBanana.Functions.Realtime;

/// <summary>
/// The in-memory side of the instance's one LISTEN connection, keyed by what changed (a generation, an
/// owner): requests waiting for a change subscribe here, and <see cref="PostgresListener"/> wakes them.
/// A waiter subscribes before it reads, so a change that lands in between still wakes it; and when the
/// connection is (re)made every waiter is woken to read again, so a change missed while it was down is not lost.
/// </summary>
public abstract class ChangeFanOut<TKey>
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, HashSet<ChangeSignal>> _waiting;

    protected ChangeFanOut(IEqualityComparer<TKey>? comparer = null) => _waiting = new(comparer);

    /// <summary>Requests waiting now, across keys.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Values.Sum(set => set.Count);
            }
        }
    }

    /// <summary>A one-shot wake-up for the next change of <paramref name="key"/>; dispose it when done waiting.</summary>
    public ChangeSignal Subscribe(TKey key)
    {
        ChangeSignal? signal = null;
        signal = new ChangeSignal(() => Unsubscribe(key, signal!));
        lock (_lock)
        {
            if (!_waiting.TryGetValue(key, out var set))
            {
                _waiting[key] = set = [];
            }

            set.Add(signal);
        }

        return signal;
    }

    /// <summary><paramref name="key"/> changed (or is gone): wake whoever waits for it.</summary>
    public void Publish(TKey key)
    {
        HashSet<ChangeSignal>? woken;
        lock (_lock)
        {
            _waiting.Remove(key, out woken);
        }

        foreach (var signal in woken ?? [])
        {
            signal.Fire();
        }
    }

    /// <summary>Wake everyone: after a (re)connect any of them may have missed its change.</summary>
    public void PublishAll()
    {
        List<ChangeSignal> woken;
        lock (_lock)
        {
            woken = [.. _waiting.Values.SelectMany(set => set)];
            _waiting.Clear();
        }

        woken.ForEach(signal => signal.Fire());
    }

    private void Unsubscribe(TKey key, ChangeSignal signal)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(key, out var set) && set.Remove(signal) && set.Count == 0)
            {
                _waiting.Remove(key);
            }
        }
    }
}

/// <summary>Completes once, when its key changes or every waiter is woken.</summary>
public sealed class ChangeSignal(Action unsubscribe) : IDisposable
{
    private readonly TaskCompletionSource _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Fired => _fired.Task;

    /// <summary>True when the change came within <paramref name="timeout"/> (on <paramref name="clock"/>), false when the time ran out.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        try
        {
            await _fired.Task.WaitAsync(timeout, clock, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    internal void Fire() => _fired.TrySetResult();

    public void Dispose() => unsubscribe();
}
