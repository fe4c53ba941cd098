using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using Npgsql;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// The original Express + Supabase system's `cleanup-generations.js stats`, grown into the monitoring list: counts, success rate,
/// durations, failure reasons, active and stuck work, table and image size, growth and estimated cost per day.
/// One batch, one round trip.
/// </summary>
public sealed class StatsService(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string DurationSeconds = "extract(epoch FROM completed_at - created_at)";

    public Task<StatsReport> GetAsync(int windowDays, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = now - TimeSpan.FromDays(windowDays);
        // Each statement needs parameters of its own (a parameter belongs to one command).
        (string, NpgsqlParameter[]) Statement(string sql) => (sql, [new("since", since), new("now", now)]);

        return dataSource.ExecuteAsMaintenanceAsync(
            [
                Statement("SELECT status, count(*) FROM generations GROUP BY status"),
                Statement($"""
                    SELECT count(*),
                           count(*) FILTER (WHERE status = 'completed'),
                           count(*) FILTER (WHERE status = 'failed'),
                           count(*) FILTER (WHERE status = 'cancelled'),
                           avg({DurationSeconds}) FILTER (WHERE status = 'completed'),
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY {DurationSeconds}) FILTER (WHERE status = 'completed'),
                           percentile_cont(0.95) WITHIN GROUP (ORDER BY {DurationSeconds}) FILTER (WHERE status = 'completed')
                    FROM generations WHERE created_at >= @since
                    """),
                Statement("SELECT error_code, count(*) FROM generations WHERE status = 'failed' AND created_at >= @since GROUP BY error_code ORDER BY count(*) DESC, error_code"),
                Statement($"SELECT count(*) FILTER (WHERE status IN {GenerationStatuses.ActiveSql}), count(*) FILTER (WHERE status = 'processing' AND lease_expires_at <= @now) FROM generations WHERE status IN {GenerationStatuses.ActiveSql}"),
                Statement("SELECT (created_at AT TIME ZONE 'UTC')::date, count(*) FROM generations WHERE created_at >= @since GROUP BY 1 ORDER BY 1"),
                Statement("""
                    SELECT (completed_at AT TIME ZONE 'UTC')::date, options->>'model', options->>'resolution', sum(jsonb_array_length(result_images))::bigint,
                           lane = 'economy' AS at_batch_price
                    FROM generations WHERE status = 'completed' AND completed_at >= @since GROUP BY 1, 2, 3, 5 ORDER BY 1
                    """),
                Statement("SELECT pg_total_relation_size('generations'), coalesce((SELECT sum((image->>'bytes')::bigint) FROM generations, jsonb_array_elements(input_images || result_images) image), 0)::bigint"),
            ],
            (reader, token) => ReadAsync(reader, now, since, windowDays, token),
            ct);
    }

    private static async Task<StatsReport> ReadAsync(NpgsqlDataReader reader, DateTimeOffset now, DateTimeOffset since, int windowDays, CancellationToken ct)
    {
        // Every status, zero when no row has it.
        var byStatus = new SortedDictionary<string, long>(Enum.GetValues<GenerationStatus>().ToDictionary(status => status.ToName(), _ => 0L), StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            byStatus[reader.GetString(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var (created, completed, failed, cancelled) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        var durations = new DurationStats(NullableDouble(reader, 4), NullableDouble(reader, 5), NullableDouble(reader, 6));

        await reader.NextResultAsync(ct);
        var reasons = new List<FailureReasonCount>();
        while (await reader.ReadAsync(ct))
        {
            reasons.Add(new FailureReasonCount(reader.IsDBNull(0) ? "(none)" : reader.GetString(0), reader.GetInt64(1)));
        }

        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var (active, stuck) = (reader.GetInt64(0), reader.GetInt64(1));

        await reader.NextResultAsync(ct);
        var perDay = new List<DayCount>();
        while (await reader.ReadAsync(ct))
        {
            perDay.Add(new DayCount(reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1)));
        }

        await reader.NextResultAsync(ct);
        var costs = new List<(DateOnly Day, long Images, decimal? Usd, decimal Saved, bool Economy)>();
        while (await reader.ReadAsync(ct))
        {
            var images = reader.GetInt64(3);
            var (model, resolution, economy) = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(4));
            var usd = GenerationCost.Of(model, resolution, images, economy);
            // What the economy lane saved: the standard price of its images less what the batch price made them cost.
            var saved = economy && GenerationCost.Of(model, resolution, images) is { } standard ? standard - (usd ?? 0) : 0;
            costs.Add((reader.GetFieldValue<DateOnly>(0), images, usd, saved, economy));
        }

        var costPerDay = costs.GroupBy(c => c.Day)
            .Select(day => new DayCost(day.Key, day.Sum(c => c.Images), day.Sum(c => c.Usd ?? 0), day.Where(c => c.Usd is null).Sum(c => c.Images),
                day.Where(c => c.Economy).Sum(c => c.Images), day.Sum(c => c.Saved)))
            .ToList();

        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var (tableBytes, imageBytes) = (reader.GetInt64(0), reader.GetInt64(1));

        var finished = completed + failed;
        return new StatsReport(
            now, windowDays, byStatus, active, stuck,
            new WindowStats(since, created, completed, failed, cancelled,
                finished == 0 ? null : Math.Round((double)completed / finished, 4), durations, reasons, perDay, costPerDay),
            tableBytes, imageBytes);
    }

    private static double? NullableDouble(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Math.Round(Convert.ToDouble(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture), 3);
}

public sealed record StatsReport(
    DateTimeOffset GeneratedAt,
    int WindowDays,
    IReadOnlyDictionary<string, long> CountsByStatus,
    long Active,
    long StuckProcessing,
    WindowStats Window,
    long TableBytes,
    long ImageBytes);

/// <summary>Generations created within the window. SuccessRate = completed / (completed + failed).</summary>
public sealed record WindowStats(
    DateTimeOffset Since,
    long Created,
    long Completed,
    long Failed,
    long Cancelled,
    double? SuccessRate,
    DurationStats DurationSeconds,
    IReadOnlyList<FailureReasonCount> FailureReasons,
    IReadOnlyList<DayCount> CreatedPerDay,
    IReadOnlyList<DayCost> EstimatedCostPerDay);

/// <summary>From creation to completion, completed generations only.</summary>
public sealed record DurationStats(double? Average, double? P50, double? P95);

public sealed record FailureReasonCount(string Code, long Count);

public sealed record DayCount(DateOnly Day, long Created);

/// <summary>
/// Images of generations completed that day (UTC) and their estimated cost (standard tier; economy ones at the batch price);
/// images of a model without a price are counted apart; the economy lane's images and what it saved against the standard price.
/// </summary>
public sealed record DayCost(DateOnly Day, long Images, decimal EstimatedCostUsd, long ImagesWithoutPrice, long EconomyImages, decimal EconomySavedUsd);
