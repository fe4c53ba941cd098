using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Batch;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// Follows the open batch jobs and keeps the promise. Each due job's state is asked of Google: a succeeded
/// job's results are applied (<see cref="EconomyResults"/>); a job that expired, failed, was cancelled or stayed
/// pending too long has its generations promoted to the standard lane. Last, generations near their promise
/// are promoted whatever their job is doing (except those of a succeeded job whose file is being read).
/// </summary>
public sealed class EconomyFollower(
    EconomyStore store,
    GeminiBatchClient batch,
    EconomyResults results,
    PromotedGenerations promoted,
    IOptions<EconomyOptions> options,
    IOptions<GeminiOptions> gemini,
    TimeProvider clock,
    ILogger<EconomyFollower> logger)
{
    private const int JobsPerRun = 20;
    private const int PromotionsPerStatement = 200;

    public async Task<EconomyReport> RunAsync(CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.Enabled || gemini.Value.Backend != GeminiBackend.Developer)
        {
            return new EconomyReport(0, 0, 0, 0);
        }

        var report = new EconomyReport(0, 0, 0, 0);
        foreach (var job in await store.TakeDueAsync(clock.GetUtcNow(), settings.Lease, settings.Poll, JobsPerRun, ct))
        {
            report += await FollowAsync(job, ct);
        }

        List<Guid> due;
        do
        {
            var now = clock.GetUtcNow();
            due = await store.PromoteDueAsync(now, now + settings.PromoteAhead, settings.MaxResultReads, PromotionsPerStatement, ct);
            await promoted.SendAsync(due, PromotionReasons.PromiseDue, ct);
            report = report with { Promoted = report.Promoted + due.Count };
        }
        while (due.Count == PromotionsPerStatement);

        return report;
    }

    private async Task<EconomyReport> FollowAsync(OpenJob job, CancellationToken ct)
    {
        BatchJob? state;
        try
        {
            state = await batch.GetJobAsync(job.GeminiName, ct);
        }
        catch (Exception exception) when (exception is GeminiBatchException or HttpRequestException or IOException)
        {
            logger.LogWarning(exception, "Economy job {JobId} ({GeminiName}): its state could not be read; asked again at the next poll", job.Id, job.GeminiName);
            return new EconomyReport(0, 0, 0, 0);
        }

        var now = clock.GetUtcNow();
        if (state is null || state.State is BatchJobState.Failed or BatchJobState.Cancelled or BatchJobState.Expired)
        {
            var reason = state?.State switch
            {
                BatchJobState.Expired => PromotionReasons.JobExpired,
                BatchJobState.Cancelled => PromotionReasons.JobCancelled,
                _ => PromotionReasons.JobFailed,
            };
            var seen = state?.State.ToName() ?? "NOT_FOUND";
            logger.LogWarning("Economy job {JobId} ({GeminiName}) ended {State} without results", job.Id, job.GeminiName, seen);
            return new EconomyReport(0, 0, 0, await promoted.EndJobAsync(job.Id, seen, reason, ct));
        }

        if (state.State == BatchJobState.Succeeded)
        {
            return await results.ReadAsync(job, state, ct);
        }

        if (job.Active == 0)
        {
            // Every generation of it was cancelled: ask Google to stop it (best effort: what it did already may be billed).
            await CancelAtGoogleAsync(job, ct);
            await store.EndJobAsync(job.Id, "CANCEL_REQUESTED", now, ct);
            return new EconomyReport(0, 0, 0, 0);
        }

        if (state.State == BatchJobState.Pending && now - job.SubmittedAt >= options.Value.StuckPending)
        {
            logger.LogWarning("Economy job {JobId} ({GeminiName}) still pending after {Hours} h: cancelled, its generations promoted",
                job.Id, job.GeminiName, options.Value.StuckPendingHours);
            await CancelAtGoogleAsync(job, ct);
            return new EconomyReport(0, 0, 0, await promoted.EndJobAsync(job.Id, state.State.ToName(), PromotionReasons.JobStuckPending, ct));
        }

        await store.SawStateAsync(job.Id, state.State.ToName(), now, ct);
        return new EconomyReport(0, 0, 0, 0);
    }

    private async Task CancelAtGoogleAsync(OpenJob job, CancellationToken ct)
    {
        try
        {
            await batch.CancelJobAsync(job.GeminiName, ct);
        }
        catch (Exception exception) when (exception is GeminiBatchException or HttpRequestException or IOException)
        {
            logger.LogWarning(exception, "Economy job {JobId} ({GeminiName}): the cancel at Google failed (best effort)", job.Id, job.GeminiName);
        }
    }
}

/// <summary>What a run of the follower did: generations completed, failed, and promoted to the standard lane (Submitted is the batcher's).</summary>
public sealed record EconomyReport(int Completed, int Failed, int Submitted, int Promoted)
{
    public static EconomyReport operator +(EconomyReport a, EconomyReport b) => a.Add(b);

    public EconomyReport Add(EconomyReport other) =>
        new(Completed + other.Completed, Failed + other.Failed, Submitted + other.Submitted, Promoted + other.Promoted);
}
