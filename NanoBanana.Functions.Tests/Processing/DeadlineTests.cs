using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// A create may carry a deadline (issue 23 item 6): not started by then, the generation is expired with
/// no call made; still running, the call is stopped and it ends cancelled (after_call). The worker
/// enforces it on delivery and with its own timer; the repair sweep ends whatever nobody worked on.
/// </summary>
public sealed class DeadlineTests : WorkerAppTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private protected override TimeProvider Clock => _clock;

    private protected override bool OwnDatabase => true; // the repair sweep acts on every row

    private protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Gemini:AttemptTimeoutSeconds"] = "300";
        settings["Gemini:MaxRetries"] = "0";
    }

    [Fact]
    public async Task NotStartedByItsDeadline_TheGenerationIsExpired_WithNoCallMade()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = await App.Api.CreateAsync(token, new { prompt = "a banana", deadlineSeconds = 60 });
        var generation = created.Generation;

        // Act: the message arrives after the deadline (a long queue, an outage).
        _clock.Advance(TimeSpan.FromSeconds(61));
        var delivery = await App.DeliverAsync(generation.Id);
        var read = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal(generation.CreatedAt.AddSeconds(60), generation.DeadlineAt);
        Assert.Null(delivery);
        Assert.Equal(("expired", "before_call", 0), (read.Status, read.CancelOutcome, read.PaidCalls));
        Assert.Equal(("DEADLINE_EXCEEDED", true), (read.Error?.Code, read.Error?.Retryable));
        Assert.Null(read.PollAfterSeconds);
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task StillRunningAtItsDeadline_TheCallIsStopped_AndItEndsCancelledAfterCall()
    {
        // Arrange
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await App.Api.CreateAsync(token, new { prompt = "a banana" }, new Dictionary<string, string> { ["Cancel-After"] = "2m" })).Generation;
        var delivery = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: two minutes pass with Gemini still thinking (the heartbeat renews the lease meanwhile).
        for (var i = 0; i < 8; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
        }

        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Null(await delivery);
        var read = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal(("cancelled", "after_call", 1, "DEADLINE_EXCEEDED"), (read.Status, read.CancelOutcome, read.PaidCalls, read.Error?.Code));
        Assert.Contains(App.Logs.Lines, l => l.Message.Contains("stopped at its deadline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADeadlinePassingWhileTheResultIsBeingRecorded_DoesNotCancelTheWrite_NorDeleteItsImage()
    {
        // Arrange: the answer waits at the gate; the test holds the row, so the worker's write will wait on it.
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(TestImages.Png)));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await App.Api.CreateAsync(token, new { prompt = "a banana" }, new Dictionary<string, string> { ["Cancel-After"] = "2m" })).Generation;
        var delivery = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using var holder = await App.DataSource.OpenConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var hold = new Npgsql.NpgsqlCommand("SELECT 1 FROM generations WHERE id = @id FOR UPDATE", holder, transaction) { Parameters = { new("id", generation.Id) } })
        {
            await hold.ExecuteScalarAsync();
        }

        // Act: the answer comes, the image is stored, the write waits; then the deadline passes, then the row is let go.
        gate.SetResult();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (await App.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE @holder = ANY(pg_blocking_pids(pid))", ("holder", holder.ProcessID)) == 0)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        _clock.Advance(TimeSpan.FromMinutes(3));
        await transaction.CommitAsync();

        // Assert: the write that began before the deadline is recorded, with its image.
        Assert.Null(await delivery);
        var read = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal(("completed", (string?)null), (read.Status, read.Error?.Code));
        Assert.NotEmpty(await App.BlobNamesAsync(NanoBanana.Functions.Storage.BlobNames.OutputPrefix(generation.Id)));
        Assert.DoesNotContain(App.Logs.Lines, l => l.Message.Contains("stopped at its deadline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRepairSweep_EndsWhatIsPastItsDeadline_PendingAsExpired_AndAnAbandonedClaimAsCancelled()
    {
        // Arrange: one still waiting, one whose worker died mid-call (a claim, a reserved call, then silence), one without a deadline.
        var token = TestTokens.For(TestTokens.NewUserId());
        var waiting = (await App.Api.CreateAsync(token, new { prompt = "waits", deadlineSeconds = 30 })).Generation;
        var abandoned = (await App.Api.CreateAsync(token, new { prompt = "abandoned", deadlineSeconds = 30 })).Generation;
        var unbounded = await App.Api.CreateGenerationAsync(token, "no deadline");
        await App.ExecuteSqlAsync(
            "UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, run_gemini_calls = 1, paid_calls = 1, lease_expires_at = @now + interval '45 seconds', started_at = @now WHERE id = @id",
            ("id", abandoned.Id), ("now", _clock.GetUtcNow()));

        // Act
        _clock.Advance(TimeSpan.FromSeconds(31));
        var report = await App.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert
        Assert.Equal(2, report.Overdue);
        Assert.Equal(0, report.Requeued);
        Assert.Equal(("expired", 1), await OutcomeAsync(waiting.Id, "before_call"));
        Assert.Equal(("cancelled", 1), await OutcomeAsync(abandoned.Id, "after_call"));
        Assert.Equal("pending", (await App.RowAsync(unbounded.Id)).Status);
    }

    [Fact]
    public async Task AnIdleSweep_FindsNothingOverdue_BeforeTheDeadline()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await App.Api.CreateAsync(token, new { prompt = "waits", deadlineSeconds = 30 })).Generation;

        // Act
        _clock.Advance(TimeSpan.FromSeconds(29));
        var report = await App.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert
        Assert.Equal(0, report.Overdue);
        Assert.Equal("pending", (await App.RowAsync(generation.Id)).Status);
    }

    [Fact]
    public async Task RetryingAnExpiredGeneration_IsANewRun_WithoutTheDeadline()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await App.Api.CreateAsync(token, new { prompt = "late", deadlineSeconds = 10 })).Generation;
        _clock.Advance(TimeSpan.FromSeconds(11));
        await App.DeliverAsync(generation.Id);

        // Act
        var retried = await App.Api.RetryAsync(token, generation.Id.ToString());
        await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, retried.Status);
        Assert.Equal(("pending", null, null, null), (retried.Generation.Status, retried.Generation.DeadlineAt, retried.Generation.CancelOutcome, retried.Generation.Error));
        Assert.Equal("completed", (await App.RowAsync(generation.Id)).Status);
    }

    [Fact]
    public async Task AnExpiry_IsInTheEventLog_WithWhatItCost_AndEndsTheEventStream()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await App.Api.CreateAsync(token, new { prompt = "late", deadlineSeconds = 10 })).Generation;
        _clock.Advance(TimeSpan.FromSeconds(11));

        // Act
        await App.DeliverAsync(generation.Id);
        var events = await App.Api.EventsAsync(token, generation.Id.ToString());

        // Assert: the stream replays queued then expired, and ends there.
        var body = System.Text.Encoding.UTF8.GetString(events.Body);
        Assert.Contains("event: expired", body, StringComparison.Ordinal);
        Assert.Contains("\"cancelOutcome\":\"before_call\"", body, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"DEADLINE_EXCEEDED\"", body, StringComparison.Ordinal);
    }

    private async Task<(string Status, long Matching)> OutcomeAsync(Guid id, string outcome) =>
        ((await App.RowAsync(id)).Status,
         await App.ScalarAsync("SELECT count(*) FROM generations WHERE id = @id AND cancel_outcome = @outcome AND error_code = 'DEADLINE_EXCEEDED'",
             ("id", id), ("outcome", outcome)));
}
