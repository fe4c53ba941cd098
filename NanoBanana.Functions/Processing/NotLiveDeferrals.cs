using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// How long a message handed on while this instance's liveness session is down stays invisible:
/// Processing__NotLiveDeferSeconds, doubled per consecutive hand-on of that generation here, at most
/// Processing__NotLiveMaxDeferSeconds, so a long outage costs each waiting message a send a minute,
/// not one every five seconds. Counted per instance, in memory: each re-send is a new queue message
/// (its dequeue count starts again at 1), and the message is the bare generation id. Forgotten as
/// soon as the session is up again, so the next outage starts from the short delay.
/// </summary>
public sealed class NotLiveDeferrals(IOptions<ProcessingOptions> options)
{
    private readonly ConcurrentDictionary<Guid, int> _handedOn = new();

    /// <summary>Counts one more hand-on of the generation and returns the delay for its message.</summary>
    public TimeSpan Next(Guid generationId)
    {
        var settings = options.Value;
        var times = _handedOn.AddOrUpdate(generationId, 1, (_, before) => before + 1);
        var seconds = settings.NotLiveDeferSeconds * Math.Pow(2, Math.Min(times - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, settings.NotLiveMaxDeferSeconds));
    }

    /// <summary>The session is up: every count starts again.</summary>
    public void Forget()
    {
        if (!_handedOn.IsEmpty)
        {
            _handedOn.Clear();
        }
    }
}
