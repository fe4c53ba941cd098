using System.Collections.Concurrent;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>Thread-safe tallies of what happened during a run, by name.</summary>
internal sealed class RigCounters
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string name, int by = 1) => _counts.AddOrUpdate(name, by, (_, n) => n + by);

    public int this[string name] => _counts.GetValueOrDefault(name);

    public IReadOnlyDictionary<string, int> Snapshot() => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);
}
