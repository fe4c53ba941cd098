using NanoBanana.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>Where on the batch path the economy sweep's process is SIGKILLed (docs/RELIABILITY.md's economy table, a row each).</summary>
public enum EconomyKillStep
{
    /// <summary>Its first statement waits on a lock: nothing of the job is written.</summary>
    BeforeTheIntent,

    /// <summary>The job row and its reservations are written; the upload's start is held at Google.</summary>
    AfterTheIntent_BeforeTheUpload,

    /// <summary>The file's bytes reached Google and were never stored.</summary>
    DuringTheUpload,

    /// <summary>The file is uploaded and recorded; the create is held before Google makes the job.</summary>
    AfterTheUpload_BeforeTheCreate,

    /// <summary>Google made the job; its answer never came back.</summary>
    AfterTheCreate_BeforeTheRecord,

    /// <summary>The results file stalls after its first line, whose generation is completed.</summary>
    DuringTheResultsDownload,

    /// <summary>A result is claimed and its image stored, the store's answer held: the completion never written.</summary>
    AfterClaimingAResult_BeforeCompletingIt,
}

/// <summary>
/// Issue 26's last promise: the economy sweep's process SIGKILLed at each step of the batch path, held there by
/// the Gemini fake, a gate before the blob store or a table lock (never a sleep), and then another instance with
/// its clock past the lease drives every generation to its end. Each must end completed in the economy lane, with
/// one batch job per shard at Google, one paid call and one stored image each, and one ending in its event log.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class EconomyKillTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(EconomyKillStep.BeforeTheIntent)]
    [InlineData(EconomyKillStep.AfterTheIntent_BeforeTheUpload)]
    [InlineData(EconomyKillStep.DuringTheUpload)]
    [InlineData(EconomyKillStep.AfterTheUpload_BeforeTheCreate)]
    [InlineData(EconomyKillStep.AfterTheCreate_BeforeTheRecord)]
    [InlineData(EconomyKillStep.DuringTheResultsDownload)]
    [InlineData(EconomyKillStep.AfterClaimingAResult_BeforeCompletingIt)]
    public async Task TheEconomySweepKilledAt_LosesNothing_AndPaysNothingTwice(EconomyKillStep step)
    {
        // Arrange
        await using var rig = await EconomyKillRig.StartAsync();
        await rig.CreateAsync();

        // Act: killed at the step, with what it left checked; then another instance takes over.
        await KillAtAsync(rig, step);
        output.WriteLine($"killed {step}: {await rig.SummaryAsync()}");
        var sweeps = await rig.RecoverAsync();
        output.WriteLine($"recovered in {sweeps} sweeps: {await rig.SummaryAsync()}");

        // Assert
        Assert.True(sweeps > 0, $"not every generation ended: {await rig.SummaryAsync()}");
        var violations = await EconomyKillVerifier.VerifyAsync(rig);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        if (step == EconomyKillStep.AfterTheUpload_BeforeTheCreate)
        {
            Assert.Equal(EconomyKillRig.Shards, rig.Uploads); // the recorded file is reused, not uploaded again
        }

        if (step == EconomyKillStep.AfterTheCreate_BeforeTheRecord)
        {
            Assert.Equal(EconomyKillRig.Shards, rig.Batch.Creates); // found by its display name: no second create sent
        }
    }

    [Fact]
    public async Task AResultClaimedByAKilledSweep_ReadAgainWhileItsClaimStillRuns_IsCompletedFromTheFileOnceItRunsOut()
    {
        // Arrange: killed after claiming a result; the job's hold (taken before the file was opened) ends first.
        await using var rig = await EconomyKillRig.StartAsync();
        await rig.CreateAsync();
        await KillAtAsync(rig, EconomyKillStep.AfterClaimingAResult_BeforeCompletingIt);
        var (jobHeldUntil, claimedUntil) = await rig.LeasesOfTheClaimAsync();
        Assert.True(jobHeldUntil < claimedUntil, $"the job's hold ({jobHeldUntil:O}) should end before the claim ({claimedUntil:O})");

        // Act: the next instance reads the file as soon as the job's hold is over, the claimed line still held.
        var sweeps = await rig.RecoverAsync(at: jobHeldUntil);
        output.WriteLine($"recovered in {sweeps} sweeps: {await rig.SummaryAsync()}");

        // Assert: not left processing under a job marked done (nor promoted at the standard price near its promise).
        Assert.True(sweeps > 0, $"not every generation ended: {await rig.SummaryAsync()}");
        var violations = await EconomyKillVerifier.VerifyAsync(rig);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private static async Task KillAtAsync(EconomyKillRig rig, EconomyKillStep step)
    {
        const string Preparing = "SELECT count(*) FROM economy_jobs WHERE state = 'preparing'";
        switch (step)
        {
            case EconomyKillStep.BeforeTheIntent:
                await using (var locked = await rig.LockJobsAsync())
                {
                    await rig.StartWorkerAsync();
                    await rig.WaitForAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", 1);
                    await rig.KillAsync();
                    Assert.Equal(1, await rig.EndWaitingSessionsAsync());
                }

                Assert.Equal(0, await rig.App.ScalarAsync("SELECT count(*) FROM economy_jobs"));
                break;

            case EconomyKillStep.AfterTheIntent_BeforeTheUpload:
                await KillWhenHeldAsync(rig, BatchStep.UploadStart);
                Assert.Equal(1, await rig.App.ScalarAsync(Preparing + " AND file_name IS NULL"));
                break;

            case EconomyKillStep.DuringTheUpload:
                await KillWhenHeldAsync(rig, BatchStep.UploadBytes);
                Assert.Equal(1, await rig.App.ScalarAsync(Preparing + " AND file_name IS NULL"));
                break;

            case EconomyKillStep.AfterTheUpload_BeforeTheCreate:
                await KillWhenHeldAsync(rig, BatchStep.CreateBeforeJob);
                Assert.Equal(1, await rig.App.ScalarAsync(Preparing + " AND file_name IS NOT NULL"));
                Assert.Empty(rig.Batch.Jobs);
                break;

            case EconomyKillStep.AfterTheCreate_BeforeTheRecord:
                await KillWhenHeldAsync(rig, BatchStep.CreateAfterJob);
                Assert.Equal(1, await rig.App.ScalarAsync(Preparing + " AND file_name IS NOT NULL"));
                Assert.Single(rig.Batch.Jobs);
                break;

            case EconomyKillStep.DuringTheResultsDownload:
            {
                await rig.StartWorkerAsync();
                var held = rig.Batch.Holds.Hold(BatchStep.ResultsDownload);
                await rig.SucceedWhenSubmittedAsync();
                await rig.KillWhenHeldAsync(held, () => rig.WaitForAsync("SELECT count(*) FROM generations WHERE status = 'completed'", 1));
                Assert.Equal(EconomyKillRig.Generations - 1, await rig.App.ScalarAsync("SELECT count(*) FROM generations WHERE status = 'pending'"));
                break;
            }

            case EconomyKillStep.AfterClaimingAResult_BeforeCompletingIt:
            {
                await rig.StartWorkerAsync();
                var held = rig.Gate.HoldUpload(path => path.Contains("/output-", StringComparison.Ordinal));
                await rig.SucceedWhenSubmittedAsync();
                await rig.KillWhenHeldAsync(held);
                Assert.Equal(1, await rig.App.ScalarAsync("SELECT count(*) FROM generations WHERE status = 'processing' AND lane = 'economy'"));
                Assert.Single(await rig.App.BlobNamesAsync()); // stored, never recorded
                break;
            }
        }
    }

    private static async Task KillWhenHeldAsync(EconomyKillRig rig, BatchStep at)
    {
        var held = rig.Batch.Holds.Hold(at);
        await rig.StartWorkerAsync();
        await rig.KillWhenHeldAsync(held);
    }
}
