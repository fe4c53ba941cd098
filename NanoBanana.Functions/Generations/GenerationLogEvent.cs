using System.Text.Json;

namespace NanoBanana.Functions.Generations;

/// <summary>One row of a generation's event log.</summary>
/// <param name="Seq">The event's number within its generation (1, 2, 3...).</param>
/// <param name="Cursor">The event's number among all of its owner's events, in commit order.</param>
/// <param name="Data">Small details of the kind: a failure's code, how many images were stored.</param>
public sealed record GenerationLogEvent(Guid GenerationId, int Seq, long Cursor, string Kind, int Attempt, DateTimeOffset At, JsonElement Data);

/// <summary>A page of one generation's events, and whether its latest event (of all, not just this page) is an ending.</summary>
/// <param name="Exists">False when the generation is not (or no longer) the caller's.</param>
public sealed record GenerationEventPage(IReadOnlyList<GenerationLogEvent> Events, bool Exists, bool Ended, int LatestSeq);

/// <summary>The caller's generations that changed after a cursor, and the cursor to ask with next.</summary>
public sealed record ChangedGenerations(IReadOnlyList<Generation> Generations, long Cursor, bool More);
