namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// What the database itself does when a transition of <see cref="GenerationTransitions"/> commits: every trigger on
/// the tables a transition writes, the migration that introduced it, what it does, and who in the app consumes it.
/// Their SQL is one file, database/routines/generation_triggers.sql, which database/migrate.sh re-applies whenever
/// it changes. A transition's statement never repeats these effects (an event row, a NOTIFY): it relies on them, so
/// a new status or a new writer gets them for free, and a new trigger must be declared here
/// (<c>Lifecycle/StatusSetTests</c> compares this list with that file and with pg_trigger on a migrated database).
/// </summary>
public static class GenerationTriggers
{
    /// <param name="Table">The table it is on.</param>
    /// <param name="Name">The trigger's name in pg_trigger.</param>
    /// <param name="Since">The migration that introduced it (its current definition is in the routines file).</param>
    /// <param name="OnEntering">The change that fires it, in the transition table's words.</param>
    /// <param name="Effect">What it writes or announces.</param>
    /// <param name="ConsumedBy">Who acts on that.</param>
    public sealed record Trigger(string Table, string Name, string Since, string OnEntering, string Effect, string ConsumedBy);

    public static readonly IReadOnlyList<Trigger> All =
    [
        new("generations", "generations_erase_api_key", "003",
            "any insert or update into a status outside Active",
            "erases the sealed personal Gemini key (api_key_*) before the row is written: an ended generation keeps no key",
            "nobody: a CHECK refuses a terminal row that still holds one"),
        new("generations", "generations_record_event_insert", "015",
            "Create (pending)",
            "appends 'queued' to generation_event_log and NOTIFYs nanobanana_generation_event (generation_event_append, 014)",
            "Realtime/PostgresListener -> OwnerEvents -> the event streams (Api/EventFunctions, Generations/EventFeeds)"),
        new("generations", "generations_record_event_update", "015",
            "every status change, a new claim (attempt + 1 while processing), stored result images",
            "appends queued / started / stored / completed / failed / cancelled / expired (with code, retryable, cancelOutcome, paidCalls) to generation_event_log; NOTIFY as above",
            "as above; 'draft' and 'promoted' events are appended by AddDraft and Promote themselves"),
        new("generations", "generations_record_ending", "015",
            "Active -> Terminal, for an owner with a push subscription or a generation with a webhook",
            "inserts a generation_events row (the notification outbox) and NOTIFYs nanobanana_generation_ended",
            "Realtime/GenerationEndings -> Notifications/NotificationDispatcher (push and webhooks)"),
        new("generations", "generations_announce_version_insert", "017",
            "Create (pending)",
            "NOTIFYs nanobanana_generation_version with id:version:status:queued-at:owner",
            "Realtime/KnownVersions (304s from memory), GenerationWaiter (long-polls), the live streams"),
        new("generations", "generations_announce_version_update", "017",
            "any version, status, queue-place or owner change (not a lease renewal)",
            "as above",
            "as above"),
        new("generations", "generations_announce_version_delete", "017",
            "Delete, DeleteExpired",
            "NOTIFYs '<id>:deleted', or 'purge' in a quiet delete (the cleanup's QuietDeletes)",
            "Realtime/KnownVersions forgets the row (or everything)"),
        new("generations", "generations_announce_version_truncate", "017",
            "a TRUNCATE (tests, an operator)",
            "NOTIFYs 'purge'",
            "Realtime/KnownVersions forgets everything"),
        new("generations", "generations_announce_change", "008",
            "any version change or delete (quiet deletes excepted)",
            "NOTIFYs nanobanana_generation_changed with the id: the pre-017 channel, kept for a rolling deployment",
            "instances deployed before migration 017 only"),
        new("queue_outbox", "queue_outbox_announce", "020",
            "Create and Retry (standard lane): their queue message written to the outbox",
            "NOTIFYs nanobanana_generation_queued with the queue's name",
            "Realtime/QueuedMessages -> Outbox/QueueOutboxDispatcher sends the message"),
    ];
}
