using NanoBanana.Functions.Generations;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// What counts against a user's limits: active generations, and creations in the last hour, counted
/// under a per-user advisory lock so concurrent creates and retries (on any instance) count one
/// after the other. Part of the API's Create and Retry batches (<see cref="GenerationTransitions"/>).
/// </summary>
internal readonly record struct UserUsage(long Active, long LastHour, DateTimeOffset? OldestInHour)
{
    /// <summary>Taken first in the batch; held until the batch's transaction ends. Parameter: @owner_id.</summary>
    public const string LockSql = "SELECT pg_advisory_xact_lock(hashtextextended('nanobanana.user:' || @owner_id, 0))";

    // Active ones from the generations themselves; creations from the append-only log, which
    // deleting a generation does not shorten.
    public const string Sql = """
        SELECT (SELECT count(*) FROM generations WHERE owner_id = @owner_id AND status IN ('pending', 'processing')) AS active,
               count(*) AS last_hour,
               min(created_at) AS oldest_in_hour
        FROM generation_creations
        WHERE owner_id = @owner_id AND created_at > @hour_ago
        """;

    /// <summary>How a statement that judged by <see cref="Sql"/> (as "usage") returns it, after its own columns.</summary>
    public const string Columns = "usage.active, usage.last_hour, usage.oldest_in_hour";

    public static NpgsqlParameter[] Parameters(string ownerId, DateTimeOffset now) =>
        [new("owner_id", ownerId), new("hour_ago", now - TimeSpan.FromHours(1))];

    /// <summary>The usage in the current row (<see cref="Columns"/>), read by name like <see cref="GenerationRow"/>.</summary>
    public static UserUsage Read(NpgsqlDataReader reader)
    {
        var oldest = reader.GetOrdinal("oldest_in_hour");
        return new UserUsage(reader.GetInt64(reader.GetOrdinal("active")), reader.GetInt64(reader.GetOrdinal("last_hour")),
            reader.IsDBNull(oldest) ? null : reader.GetFieldValue<DateTimeOffset>(oldest));
    }

    public LimitExceeded? Exceeded(LimitsOptions limits, DateTimeOffset now, bool checkHourly)
    {
        if (checkHourly && LastHour >= limits.MaxCreationsPerHour)
        {
            // The hourly window frees a slot when its oldest creation turns an hour old. Clamped:
            // a concurrent create may have stamped a "now" a moment later than ours.
            var wait = (OldestInHour ?? now) + TimeSpan.FromHours(1) - now;
            return new LimitExceeded(LimitKind.CreationsPerHour, limits.MaxCreationsPerHour,
                TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, 3600)));
        }

        return Active >= limits.MaxActivePerUser ? new LimitExceeded(LimitKind.ActiveGenerations, limits.MaxActivePerUser, null) : null;
    }
}
