using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// What counts against a user's limits: active generations, and creations in the last hour, counted
/// under a per-user advisory lock so concurrent creates and retries (on any instance) count one
/// after the other. Part of the API's Create and Retry batches (<see cref="GenerationTransitions"/>).
/// </summary>
internal readonly record struct UserUsage(long Active, long LastHour, DateTimeOffset? OldestInHour, long PaidLastHour = 0, DateTimeOffset? OldestPaidInHour = null)
{
    /// <summary>Taken first in the batch; held until the batch's transaction ends. Parameter: @owner_id.</summary>
    public const string LockSql = "SELECT pg_advisory_xact_lock(hashtextextended('nanobanana.user:' || @owner_id, 0))";

    // Active ones from the generations themselves; creations from the append-only log, which
    // deleting a generation does not shorten.
    public static readonly string Sql = $"""
        SELECT (SELECT count(*) FROM generations WHERE owner_id = @owner_id AND status IN {GenerationStatuses.ActiveSql}) AS active,
               (SELECT count(*) FROM gemini_paid_calls WHERE owner_id = @owner_id AND called_at > @hour_ago) AS paid_last_hour,
               (SELECT min(called_at) FROM gemini_paid_calls WHERE owner_id = @owner_id AND called_at > @hour_ago) AS oldest_paid_in_hour,
               count(*) AS last_hour,
               min(created_at) AS oldest_in_hour
        FROM generation_creations
        WHERE owner_id = @owner_id AND created_at > @hour_ago
        """;

    /// <summary>How a statement that judged by <see cref="Sql"/> (as "usage") returns it, after its own columns.</summary>
    public const string Columns = "usage.active, usage.last_hour, usage.oldest_in_hour, usage.paid_last_hour, usage.oldest_paid_in_hour";

    public static NpgsqlParameter[] Parameters(string ownerId, DateTimeOffset now) =>
        [new("owner_id", ownerId), new("hour_ago", now - TimeSpan.FromHours(1))];

    /// <summary>The usage in the current row (<see cref="Columns"/>), read by name like <see cref="GenerationRow"/>.</summary>
    public static UserUsage Read(NpgsqlDataReader reader)
    {
        var oldest = reader.GetOrdinal("oldest_in_hour");
        var oldestPaid = reader.GetOrdinal("oldest_paid_in_hour");
        return new UserUsage(reader.GetInt64(reader.GetOrdinal("active")), reader.GetInt64(reader.GetOrdinal("last_hour")),
            reader.IsDBNull(oldest) ? null : reader.GetFieldValue<DateTimeOffset>(oldest),
            reader.GetInt64(reader.GetOrdinal("paid_last_hour")), reader.IsDBNull(oldestPaid) ? null : reader.GetFieldValue<DateTimeOffset>(oldestPaid));
    }

    public LimitExceeded? Exceeded(LimitsOptions limits, DateTimeOffset now, bool checkHourly)
    {
        if (checkHourly && PaidLastHour >= limits.MaxPaidCallsPerHour)
        {
            return new LimitExceeded(LimitKind.PaidCallsPerHour, limits.MaxPaidCallsPerHour, UntilAnHourAfter(OldestPaidInHour, now));
        }

        if (checkHourly && LastHour >= limits.MaxCreationsPerHour)
        {
            return new LimitExceeded(LimitKind.CreationsPerHour, limits.MaxCreationsPerHour, UntilAnHourAfter(OldestInHour, now));
        }

        return Active >= limits.MaxActivePerUser ? new LimitExceeded(LimitKind.ActiveGenerations, limits.MaxActivePerUser, null) : null;
    }

    // An hourly window frees a slot when its oldest entry turns an hour old. Clamped: a concurrent
    // create may have stamped a "now" a moment later than ours.
    private static TimeSpan UntilAnHourAfter(DateTimeOffset? oldest, DateTimeOffset now) =>
        TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(((oldest ?? now) + TimeSpan.FromHours(1) - now).TotalSeconds), 1, 3600));
}
