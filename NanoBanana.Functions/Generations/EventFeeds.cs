using NanoBanana.Functions.Data;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Generations;

/// <summary>What a stream follows: one generation's events (by seq) or all of an owner's (by cursor).</summary>
public interface IEventFeed
{
    /// <summary>A wake-up for the feed's next event; taken before each read, so nothing lands unseen in between.</summary>
    ChangeSignal Subscribe();

    Task<EventFeedPage> ReadAsync(long after, int limit, CancellationToken ct);

    /// <summary>The number a client resumes after: the SSE id of <paramref name="e"/>.</summary>
    long IdOf(GenerationLogEvent e);
}

/// <param name="Finished">Nothing more will come: the generation ended and every event up to its ending was read, or it is gone.</param>
public sealed record EventFeedPage(IReadOnlyList<GenerationLogEvent> Events, bool Finished);

/// <summary>One generation's events; finished after its ending (a retry after that is a new stream).</summary>
public sealed class GenerationEventFeed(EventLogStore store, GenerationChanges changes, string ownerId, Guid id) : IEventFeed
{
    public ChangeSignal Subscribe() => changes.Subscribe(id);

    public async Task<EventFeedPage> ReadAsync(long after, int limit, CancellationToken ct)
    {
        var page = await store.GenerationEventsAsync(ownerId, id, after, limit, ct);
        var readUpTo = page.Events.Count > 0 ? page.Events[^1].Seq : after;
        return new EventFeedPage(page.Events, !page.Exists || (page.Ended && readUpTo >= page.LatestSeq));
    }

    public long IdOf(GenerationLogEvent e) => e.Seq;
}

/// <summary>Every event of the owner's generations, in commit order; never finished (the stream's time limit ends it).</summary>
public sealed class OwnerEventFeed(EventLogStore store, OwnerEvents events, string ownerId) : IEventFeed
{
    public ChangeSignal Subscribe() => events.Subscribe(ownerId);

    public async Task<EventFeedPage> ReadAsync(long after, int limit, CancellationToken ct) =>
        new(await store.OwnerEventsAsync(ownerId, after, limit, ct), Finished: false);

    public long IdOf(GenerationLogEvent e) => e.Cursor;
}
