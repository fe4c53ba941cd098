using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// The guarantees, checked against the database, the blobs and what Gemini saw: every accepted
/// generation ended within the bound, none was completed twice or by a stale attempt, no run made
/// more paid Gemini calls than its budget (nor more requests or claims than its limits), one
/// generation per Idempotency-Key, no orphan blob after repair.
/// </summary>
internal static class RigVerifier
{
    public static async Task<SoakReport> VerifyAsync(ReliabilityRig rig, ClientResult[] results, TimeSpan bound, TimeSpan duration)
    {
        var violations = new List<string>();
        var accepted = results.Where(r => r.Id is not null).ToList();
        violations.AddRange(results.Where(r => r.Id is null).Select(r => $"#{r.Plan.Index}: never accepted"));

        var rows = await LoadRowsAsync(rig.App);
        var transitions = await LoadTransitionsAsync(rig.App);
        var timesToTerminal = new List<TimeSpan>();
        var timing = rig.Options.Timing;
        int maxRequests = 0, maxPaid = 0, budgetSpent = 0;
        foreach (var client in accepted)
        {
            var id = client.Id!.Value;
            var tag = $"#{client.Plan.Index} {id}";
            if (client.IdsForKey.Distinct().Count() != 1)
            {
                violations.Add($"{tag}: one Idempotency-Key answered with {client.IdsForKey.Distinct().Count()} generations");
            }

            if (!rows.TryGetValue(id, out var row))
            {
                violations.Add($"{tag}: no row");
                continue;
            }

            if (row.CompletedAt is not { } completedAt)
            {
                violations.Add($"{tag}: not terminal ({row.Status}, attempt {row.Attempt})");
                continue;
            }

            var took = completedAt - row.CreatedAt;
            timesToTerminal.Add(took);
            if (took > bound)
            {
                violations.Add($"{tag}: took {took.TotalSeconds:F0} s, over the bound of {bound.TotalSeconds:F0} s");
            }

            var log = transitions.GetValueOrDefault(id) ?? [];
            if (log.Count(t => t.To == "completed") > 1)
            {
                violations.Add($"{tag}: completed {log.Count(t => t.To == "completed")} times");
            }

            if (log.Any(t => t.From is "completed" or "failed" && t.To != "pending") || log.Any(t => t.From == "cancelled" && t.To != "pending"))
            {
                violations.Add($"{tag}: left a terminal state: {string.Join(", ", log.Select(t => $"{t.From}->{t.To}"))}");
            }

            if (client.CancelStatus == 200 && row.Status != "cancelled")
            {
                violations.Add($"{tag}: cancel answered 200 but it ended {row.Status}");
            }

            // The budget, as Gemini saw it: requests it may have started work for (every reply but a refusal).
            var requests = rig.Plan.RequestsByPrompt.GetValueOrDefault(client.Prompt);
            var paid = rig.Plan.PaidRequestsByPrompt.GetValueOrDefault(client.Prompt);
            maxRequests = Math.Max(maxRequests, requests);
            maxPaid = Math.Max(maxPaid, paid);
            budgetSpent += paid == timing.MaxCallsPerRun ? 1 : 0;
            if (paid > timing.MaxCallsPerRun || row.RunGeminiCalls > timing.MaxCallsPerRun)
            {
                violations.Add($"{tag}: {paid} paid Gemini calls ({row.RunGeminiCalls} counted in the row), over the budget of {timing.MaxCallsPerRun}");
            }

            if (requests > timing.MaxRequestsPerGeneration || row.RunAttempt > timing.MaxAttempts)
            {
                violations.Add($"{tag}: {requests} Gemini requests over {row.RunAttempt} attempts, beyond the limits");
            }

            if (row.Status == "completed")
            {
                await CheckResultAsync(rig, client, row, tag, violations);
            }
        }

        var stillActive = rows.Values.Count(r => r.Status is "pending" or "processing");
        if (stillActive > 0)
        {
            violations.Add($"{stillActive} generations are still pending or processing");
        }

        var orphansRemoved = await SweepOrphansAsync(rig.App);
        violations.AddRange(await UnreferencedBlobsAsync(rig.App, rows));

        return new SoakReport(
            rig.Options.Name, rig.Options.Seed, results.Length, accepted.Count,
            rows.Values.Where(r => accepted.Any(a => a.Id == r.Id))
                .GroupBy(r => r.Status == "failed" ? $"failed {r.ErrorCode}" : r.Status)
                .ToDictionary(g => g.Key, g => g.Count()),
            new Dictionary<string, int>(rig.Plan.Injected), rig.Events, rig.Counters.Snapshot(),
            Percentile(timesToTerminal, 0.5), Percentile(timesToTerminal, 0.95), timesToTerminal.DefaultIfEmpty().Max(), bound,
            rig.Plan.RequestsByPrompt.Values.Sum(), maxRequests, rows.Values.DefaultIfEmpty().Max(r => r?.Attempt ?? 0),
            new CallBudgetUse(timing.MaxCallsPerRun, rig.Plan.PaidRequestsByPrompt.Values.Sum(), maxPaid, budgetSpent),
            WorkerRecoveries.Measure(rig.WorkerFaults, rows, transitions),
            orphansRemoved, duration, violations);
    }

    private static async Task CheckResultAsync(ReliabilityRig rig, ClientResult client, Row row, string tag, List<string> violations)
    {
        var images = JsonColumns.ReadImages(row.ResultImages);
        if (images.Count == 0)
        {
            violations.Add($"{tag}: completed without images");
            return;
        }

        foreach (var (image, index) in images.Select((image, index) => (image, index)))
        {
            // Written by the attempt that held the generation when it completed, never a stale one.
            if (image.BlobName != $"{row.Id:D}/output-{row.Attempt}-{index}")
            {
                violations.Add($"{tag}: result {image.BlobName} is not attempt {row.Attempt}'s");
            }

            var bytes = (await rig.App.Images.GetBlobClient(image.BlobName).DownloadContentAsync()).Value.Content.ToArray();
            if (!(rig.Plan.ImagesReturned.GetValueOrDefault(client.Prompt) ?? []).Any(returned => returned.AsSpan().SequenceEqual(bytes)))
            {
                violations.Add($"{tag}: stored image is not one Gemini returned for this generation");
            }
        }
    }

    /// <summary>
    /// The full repair, run by another instance whose clock is past the orphan grace period (disposed, it leaves
    /// the container to the run's app: the check for unreferenced blobs after it lists what the sweep left).
    /// </summary>
    internal static async Task<int> SweepOrphansAsync(FunctionApp app)
    {
        var later = FunctionApp.AnotherInstance(app, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2)));
        await using (later)
        {
            return (await later.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: true, CancellationToken.None)).OrphanBlobsDeleted;
        }
    }

    internal static async Task<List<string>> UnreferencedBlobsAsync(FunctionApp app, Dictionary<Guid, Row> rows)
    {
        var referenced = rows.Values
            .SelectMany(r => JsonColumns.ReadImages(r.InputImages).Concat(JsonColumns.ReadImages(r.ResultImages)))
            .Select(i => i.BlobName)
            .ToHashSet();
        return (await app.BlobNamesAsync()).Where(name => !referenced.Contains(name)).Select(name => $"blob {name} has no row after repair").ToList();
    }

    internal static async Task<Dictionary<Guid, Row>> LoadRowsAsync(FunctionApp app)
    {
        await using var command = app.DataSource.CreateCommand(
            "SELECT id, status, attempt, run_attempt, run_gemini_calls, error_code, created_at, completed_at, input_images, result_images FROM generations");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, Row>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = new Row(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8), reader.GetString(9));
        }

        return rows;
    }

    internal static async Task<Dictionary<Guid, List<Transition>>> LoadTransitionsAsync(FunctionApp app)
    {
        await using var command = app.DataSource.CreateCommand("SELECT id, old_status, new_status, attempt, at FROM test_status_log ORDER BY at");
        await using var reader = await command.ExecuteReaderAsync();
        var log = new Dictionary<Guid, List<Transition>>();
        while (await reader.ReadAsync())
        {
            (log.TryGetValue(reader.GetGuid(0), out var list) ? list : log[reader.GetGuid(0)] = [])
                .Add(new Transition(reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return log;
    }

    private static TimeSpan Percentile(List<TimeSpan> values, double p) =>
        values.Count == 0 ? TimeSpan.Zero : values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Ceiling(p * values.Count) - 1));

    internal sealed record Row(Guid Id, string Status, int Attempt, int RunAttempt, int RunGeminiCalls, string? ErrorCode, DateTimeOffset CreatedAt,
        DateTimeOffset? CompletedAt, string InputImages, string ResultImages);

    /// <summary>A status change the test trigger logged: from, to, the attempt after it, and when.</summary>
    internal sealed record Transition(string From, string To, int Attempt, DateTimeOffset At);
}
