using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Api;

/// <summary>
/// How many long-polls (<c>Prefer: wait</c>) this instance holds open, per user and in all. A held wait is an HTTP
/// slot for up to <see cref="ApiOptions.MaxWaitSeconds"/>; past either cap the request is answered at once, as if it
/// had not asked to wait (no <c>Preference-Applied</c>, which RFC 7240 allows), so it costs one ordinary poll.
/// </summary>
public sealed class LongPollSlots(IOptions<ApiOptions> options)
{
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _total;

    public int Held
    {
        get
        {
            lock (_perUser)
            {
                return _total;
            }
        }
    }

    /// <summary>A slot to wait <paramref name="wait"/> in, given back when disposed; null when a cap is reached.</summary>
    public LongPollSlot? TryTake(string userId, TimeSpan wait)
    {
        var limits = options.Value;
        lock (_perUser)
        {
            var mine = _perUser.GetValueOrDefault(userId);
            if (_total >= limits.MaxWaitsPerInstance || mine >= limits.MaxWaitsPerUser)
            {
                return null;
            }

            _perUser[userId] = mine + 1;
            _total++;
        }

        return new LongPollSlot(this, userId, wait);
    }

    internal void Return(string userId)
    {
        lock (_perUser)
        {
            _total--;
            if (--_perUser[userId] == 0)
            {
                _perUser.Remove(userId); // so the map holds only users waiting now
            }
        }
    }
}

public sealed class LongPollSlot(LongPollSlots slots, string userId, TimeSpan wait) : IDisposable
{
    private int _returned;

    public TimeSpan Wait { get; } = wait;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            slots.Return(userId);
        }
    }
}
