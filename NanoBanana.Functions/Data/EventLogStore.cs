using System.Text.Json;
using NanoBanana.Functions.Generations;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// Reads of the generations' event log (migration 014) for the API, as the caller under row-level
/// security. Each read is one short query on a pooled connection, given back at once: a stream
/// waits between reads holding nothing but its HTTP response.
/// </summary>
public sealed class EventLogStore(NpgsqlDataSource dataSource)
{
    private const string EventColumns = "e.generation_id, e.seq, e.owner_seq, e.kind, e.attempt, e.at, e.data::text AS data";

    /// <summary>
    /// One generation's events after <paramref name="afterSeq"/>, with its latest event. Every generation has
    /// at least one event (queued, from its insert), so no latest event means no such generation of the caller.
    /// </summary>
    public Task<GenerationEventPage> GenerationEventsAsync(string ownerId, Guid id, long afterSeq, int limit, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            $"""
            SELECT latest.seq AS latest_seq, latest.kind AS latest_kind, {EventColumns}
            FROM (SELECT seq, kind FROM generation_event_log
                  WHERE generation_id = @id AND owner_id = @owner_id ORDER BY seq DESC LIMIT 1) latest
            LEFT JOIN LATERAL (
                SELECT * FROM generation_event_log
                WHERE generation_id = @id AND owner_id = @owner_id AND seq > @after ORDER BY seq LIMIT @limit) e ON true
            ORDER BY e.seq
            """,
            [new("id", id), new("owner_id", ownerId), new("after", afterSeq), new("limit", limit)],
            async (reader, token) =>
            {
                var events = new List<GenerationLogEvent>();
                var (exists, latestSeq, latestKind) = (false, 0, "");
                while (await reader.ReadAsync(token))
                {
                    (exists, latestSeq, latestKind) = (true, reader.GetInt32(0), reader.GetString(1));
                    if (!reader.IsDBNull(reader.GetOrdinal("seq")))
                    {
                        events.Add(ReadEvent(reader));
                    }
                }

                return new GenerationEventPage(events, exists, exists && GenerationEventKind.IsEnding(latestKind), latestSeq);
            }, ct);

    /// <summary>The caller's events of all its generations after <paramref name="afterCursor"/>, in commit order.</summary>
    public async Task<IReadOnlyList<GenerationLogEvent>> OwnerEventsAsync(string ownerId, long afterCursor, int limit, CancellationToken ct) =>
        await dataSource.ExecuteAsCallerAsync(ownerId,
            $"""
            SELECT {EventColumns} FROM generation_event_log e
            WHERE e.owner_id = @owner_id AND e.owner_seq > @after ORDER BY e.owner_seq LIMIT @limit
            """,
            [new("owner_id", ownerId), new("after", afterCursor), new("limit", limit)],
            RowReader.All(ReadEvent), ct);

    /// <summary>
    /// The caller's generations with an event after <paramref name="afterCursor"/>, each once as it is now,
    /// in the order of their latest change; at most <paramref name="limit"/>, and the cursor of the last one
    /// listed (so a cut list resumes where it stopped). A generation deleted since is not listed.
    /// </summary>
    public Task<ChangedGenerations> ChangedSinceAsync(string ownerId, long afterCursor, int limit, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            $"""
            WITH changed AS (
                SELECT generation_id, max(owner_seq) AS changed_at FROM generation_event_log
                WHERE owner_id = @owner_id AND owner_seq > @after
                GROUP BY generation_id ORDER BY changed_at LIMIT @limit + 1)
            SELECT {GenerationRow.ListedColumns}, changed.changed_at
            FROM changed JOIN generations g ON g.id = changed.generation_id AND g.owner_id = @owner_id
            ORDER BY changed.changed_at
            """,
            [new("owner_id", ownerId), new("after", afterCursor), new("limit", limit)],
            async (reader, token) =>
            {
                var generations = new List<Generation>();
                var cursor = afterCursor;
                var more = false;
                while (await reader.ReadAsync(token))
                {
                    if (generations.Count == limit)
                    {
                        more = true;
                        break;
                    }

                    generations.Add(GenerationRow.ReadListed(reader));
                    cursor = reader.GetInt64(reader.GetOrdinal("changed_at"));
                }

                return new ChangedGenerations(generations, cursor, more);
            }, ct);

    /// <summary>The caller's latest cursor (0 before its first event): where a client that has everything starts.</summary>
    public Task<long> LatestCursorAsync(string ownerId, CancellationToken ct) =>
        dataSource.ExecuteAsCallerAsync(ownerId,
            "SELECT coalesce(max(owner_seq), 0) FROM generation_event_log WHERE owner_id = @owner_id",
            [new("owner_id", ownerId)],
            async (reader, token) => await reader.ReadAsync(token) ? reader.GetInt64(0) : 0L, ct);

    private static GenerationLogEvent ReadEvent(NpgsqlDataReader reader)
    {
        using var data = JsonDocument.Parse(reader.GetString(reader.GetOrdinal("data")));
        return new GenerationLogEvent(
            reader.GetGuid(reader.GetOrdinal("generation_id")),
            reader.GetInt32(reader.GetOrdinal("seq")),
            reader.GetInt64(reader.GetOrdinal("owner_seq")),
            reader.GetString(reader.GetOrdinal("kind")),
            reader.GetInt32(reader.GetOrdinal("attempt")),
            reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal("at")),
            data.RootElement.Clone());
    }
}
