namespace NanoBanana.Functions.Realtime;

/// <summary>
/// The in-memory side of the instance's one LISTEN connection: requests waiting for a generation to
/// change subscribe here, and <see cref="PostgresListener"/> wakes them. A waiter subscribes before it
/// reads the row, so a change that lands in between still wakes it; and when the connection is
/// (re)made every waiter is woken to read again, so a change missed while it was down is not lost.
/// </summary>
public sealed class GenerationChanges
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, HashSet<ChangeSignal>> _waiting = [];

    /// <summary>Requests waiting now, across generations.</summary>
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

    /// <summary>A one-shot wake-up for the next change of <paramref name="id"/>; dispose it when done waiting.</summary>
    public ChangeSignal Subscribe(Guid id)
    {
        var signal = new ChangeSignal(this, id);
        lock (_lock)
        {
            if (!_waiting.TryGetValue(id, out var set))
            {
                _waiting[id] = set = [];
            }

            set.Add(signal);
        }

        return signal;
    }

    /// <summary>The generation changed (or is gone): wake whoever waits for it.</summary>
    public void Publish(Guid id)
    {
        HashSet<ChangeSignal>? woken;
        lock (_lock)
        {
            _waiting.Remove(id, out woken);
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

    internal void Unsubscribe(ChangeSignal signal)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(signal.Id, out var set) && set.Remove(signal) && set.Count == 0)
            {
                _waiting.Remove(signal.Id);
            }
        }
    }
}

/// <summary>Completes once, when its generation changes or every waiter is woken.</summary>
public sealed class ChangeSignal(GenerationChanges changes, Guid id) : IDisposable
{
    private readonly TaskCompletionSource _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid Id { get; } = id;

    public Task Fired => _fired.Task;

    internal void Fire() => _fired.TrySetResult();

    public void Dispose() => changes.Unsubscribe(this);
}
