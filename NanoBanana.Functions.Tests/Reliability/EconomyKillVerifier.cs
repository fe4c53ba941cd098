using NanoBanana.Functions.Data;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// What must hold after <see cref="EconomyKillRig"/>'s worker was killed at any step and another instance took
/// over: every generation completed in the economy lane, sent to Google in one job, one job per shard, one paid
/// call, one image (the attempt's, the results file's bytes), one ending event, never out of a terminal state,
/// every job done, and no blob without a row after the orphan sweep (<see cref="RigVerifier"/>'s own checks).
/// </summary>
internal static class EconomyKillVerifier
{
    /// <summary>What must hold whatever step the worker died at; each broken promise as a line.</summary>
    public static async Task<List<string>> VerifyAsync(EconomyKillRig rig)
    {
        var violations = new List<string>();
        var rows = await RigVerifier.LoadRowsAsync(rig.App);
        var transitions = await RigVerifier.LoadTransitionsAsync(rig.App);
        var jobs = rig.Batch.Jobs.Values.ToList();
        if (jobs.Count != EconomyKillRig.Shards)
        {
            violations.Add($"{jobs.Count} batch jobs created at Google for {EconomyKillRig.Shards} shards");
        }

        foreach (var id in rig.Created)
        {
            var row = rows[id];
            var tag = $"generation {id}";
            if ((row.Status, await LaneAsync(rig.App, id)) != ("completed", "economy"))
            {
                violations.Add($"{tag}: ended {row.Status} in the {await LaneAsync(rig.App, id)} lane, not completed in the economy lane");
            }

            var inJobs = jobs.Count(j => j.Keys.Contains(id.ToString("D")));
            if (inJobs != 1)
            {
                violations.Add($"{tag}: sent to Google in {inJobs} batch jobs");
            }

            var paid = await rig.App.ScalarAsync("SELECT paid_calls FROM generations WHERE id = @id", ("id", id));
            if (row.RunGeminiCalls != 1 || paid != 1)
            {
                violations.Add($"{tag}: {row.RunGeminiCalls} calls counted in its run, {paid} paid calls; one batch call was made");
            }

            var images = JsonColumns.ReadImages(row.ResultImages);
            if (images.Count != 1 || images[0].BlobName != $"{id:D}/output-{row.Attempt}-0")
            {
                violations.Add($"{tag}: result images [{string.Join(", ", images.Select(i => i.BlobName))}], not the one of attempt {row.Attempt}");
            }
            else if (!(await rig.App.Images.GetBlobClient(images[0].BlobName).DownloadContentAsync()).Value.Content.ToArray().AsSpan().SequenceEqual(TestImages.Png))
            {
                violations.Add($"{tag}: its stored image is not the one in the results file");
            }

            var endings = await rig.App.ScalarAsync(
                "SELECT count(*) FROM generation_event_log WHERE generation_id = @id AND kind IN ('completed', 'failed', 'cancelled', 'expired', 'promoted')", ("id", id));
            if (endings != 1)
            {
                violations.Add($"{tag}: {endings} ending or promotion events in its log, not one 'completed'");
            }

            var log = transitions.GetValueOrDefault(id) ?? [];
            if (log.Any(t => t.From is "completed" or "failed" or "cancelled"))
            {
                violations.Add($"{tag}: left a terminal state: {string.Join(", ", log.Select(t => $"{t.From}->{t.To}"))}");
            }
        }

        // Every paid call is logged against its owner's hourly budget: one per generation.
        var logged = await rig.App.ScalarAsync("SELECT count(*) FROM gemini_paid_calls");
        if (logged != EconomyKillRig.Generations)
        {
            violations.Add($"{logged} paid calls logged for {EconomyKillRig.Generations} generations");
        }

        var open = await rig.App.ScalarAsync("SELECT count(*) FROM economy_jobs WHERE state <> 'done'");
        if (open != 0)
        {
            violations.Add($"{open} economy jobs not done");
        }

        // A blob the killed worker stored and never recorded goes with the orphan sweep; nothing else may be left over.
        await RigVerifier.SweepOrphansAsync(rig.App);
        violations.AddRange(await RigVerifier.UnreferencedBlobsAsync(rig.App, rows));
        return violations;
    }

    private static async Task<string?> LaneAsync(FunctionApp app, Guid id)
    {
        await using var command = app.DataSource.CreateCommand("SELECT lane FROM generations WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string;
    }
}
