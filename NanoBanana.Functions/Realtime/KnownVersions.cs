using Microsoft.Extensions.Options;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Realtime;

/// <summary>
/// What this instance's LISTEN session was told of each generation lately (owner, version, status,
/// queue place: all a conditional poll is judged on), so a poll whose ETag is still current is answered
/// without a query. Fed only by notifications (migration 017), never by reads: a read and a notification
/// of the same row race, and a read that lands after a newer notification would bring an old version
/// back. Everything is forgotten whenever the session is lost or made again, so what is here was told
/// by one session that has been up ever since; a session is trusted only while it has shown itself alive
/// lately (<see cref="KnownVersionsOptions.ProbeSeconds"/>); an entry only for
/// <see cref="KnownVersionsOptions.MaxAgeSeconds"/>; and at most <see cref="KnownVersionsOptions.MaxEntries"/>
/// are kept, the least recently announced going first. Whatever is not here is read from Postgres.
/// A change this instance's API commits holds its entry back until the session announces it (<see cref="Wrote"/>),
/// so a caller that polls right after its own cancel is not answered from before it.
/// </summary>
public sealed class KnownVersions(IOptions<KnownVersionsOptions> options, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _byAge = new(); // least recently announced first
    private bool _listening;
    private DateTimeOffset _provenAt;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether polls may be answered from here now: a session is up and has shown itself alive lately.</summary>
    public bool Trusted
    {
        get
        {
            lock (_lock)
            {
                return IsTrusted(clock.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// What a poll of <paramref name="id"/> by <paramref name="ownerId"/> would read, or null: not
    /// announced lately, announced for another owner (which the database path answers as it answers a
    /// missing one), or not trusted now.
    /// </summary>
    public GenerationVersion? Find(string ownerId, Guid id)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (!IsTrusted(now) || !_entries.TryGetValue(id, out var node))
            {
                return null;
            }

            if (now - node.Value.RecordedAt > MaxAge)
            {
                Remove(node);
                return null;
            }

            return node.Value.Version is { } version && string.Equals(node.Value.OwnerId, ownerId, StringComparison.Ordinal) ? version : null;
        }
    }

    /// <summary>A session is listening (its LISTEN has completed): start from nothing, trusted from now.</summary>
    internal void SessionStarted()
    {
        lock (_lock)
        {
            Clear();
            _listening = true;
            _provenAt = clock.GetUtcNow();
        }
    }

    /// <summary>The session failed or ended: whatever it would have said next is lost, so is all it said.</summary>
    internal void SessionLost()
    {
        lock (_lock)
        {
            Clear();
            _listening = false;
        }
    }

    /// <summary>The session answered (a probe, a notification): it was connected just now.</summary>
    internal void Proven()
    {
        lock (_lock)
        {
            _provenAt = clock.GetUtcNow();
        }
    }

    internal void Record(Guid id, string ownerId, GenerationVersion version)
    {
        lock (_lock)
        {
            _provenAt = clock.GetUtcNow();
            if (_entries.TryGetValue(id, out var node) && node.Value.Version is null && version.Version < node.Value.Floor)
            {
                return; // announced before this instance's own write, which is newer
            }

            Put(new Entry(id, ownerId, version, Floor: 0, _provenAt));
        }
    }

    /// <summary>
    /// This instance has just committed a change of <paramref name="id"/> (the API's cancel, retry, delete):
    /// its caller may poll at once with the ETag it had, before the session has announced the change. So
    /// nothing is answered for it until a version of at least <paramref name="floor"/> is announced; an
    /// older announcement still on its way is not taken. <see cref="long.MaxValue"/> for a delete.
    /// </summary>
    internal void Wrote(Guid id, long floor)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out var node) || node.Value.Version is not { } known || known.Version < floor)
            {
                Put(new Entry(id, OwnerId: null, Version: null, floor, clock.GetUtcNow()));
            }
        }
    }

    internal void Forget(Guid id)
    {
        lock (_lock)
        {
            _provenAt = clock.GetUtcNow();
            if (_entries.TryGetValue(id, out var node))
            {
                Remove(node);
            }
        }
    }

    /// <summary>Rows went away unannounced (the cleanup's quiet deletes, a TRUNCATE): none is known any more.</summary>
    internal void ForgetAll()
    {
        lock (_lock)
        {
            _provenAt = clock.GetUtcNow();
            Clear();
        }
    }

    private TimeSpan MaxAge => TimeSpan.FromSeconds(options.Value.MaxAgeSeconds);

    private bool IsTrusted(DateTimeOffset now) =>
        _listening && now - _provenAt <= TimeSpan.FromSeconds(2 * options.Value.ProbeSeconds);

    private void Put(Entry entry)
    {
        var settings = options.Value;
        if (!_listening || settings.MaxEntries == 0)
        {
            return;
        }

        if (_entries.Remove(entry.Id, out var earlier))
        {
            _byAge.Remove(earlier);
        }

        _entries[entry.Id] = _byAge.AddLast(entry);
        while (_byAge.First is { } oldest && (_entries.Count > settings.MaxEntries || entry.RecordedAt - oldest.Value.RecordedAt > MaxAge))
        {
            Remove(oldest);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _byAge.Remove(node);
        _entries.Remove(node.Value.Id);
    }

    private void Clear()
    {
        _entries.Clear();
        _byAge.Clear();
    }

    /// <param name="Version">Null while waiting for an announcement of at least <paramref name="Floor"/> (<see cref="Wrote"/>).</param>
    private sealed record Entry(Guid Id, string? OwnerId, GenerationVersion? Version, long Floor, DateTimeOffset RecordedAt);
}
