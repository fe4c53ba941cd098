using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// What an event of a generation's log says happened. The one list in C#; the CHECK of
/// generation_event_log.kind (migration 014) is the one list in SQL, and a test holds them equal.
/// </summary>
public static class GenerationEventKind
{
    public const string Queued = "queued";
    public const string Started = "started";

    /// <summary>An interim image while the model thinks (issue 23 item 4); nothing appends it yet.</summary>
    public const string Draft = "draft";

    public const string Stored = "stored";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";

    /// <summary>An economy generation moved to the standard lane (issue 26; data: {reason}): it runs now, at the standard price.</summary>
    public const string Promoted = "promoted";

    public static readonly IReadOnlyList<string> All = [Queued, Started, Draft, Stored, Completed, Failed, Cancelled, Expired, Promoted];

    /// <summary>
    /// An ending is the event of a terminal status, named as the status is: the set is
    /// <see cref="GenerationStatuses.IsTerminal"/>'s, so a new ending status ends streams with no line here.
    /// </summary>
    public static bool IsEnding(string kind) => GenerationStatuses.TryParse(kind, out var status) && status.IsTerminal();
}
