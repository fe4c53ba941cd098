using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// A create may carry a deadline (issue 23 item 6): not started by then, the generation is expired with
/// no call made; still running, the call is stopped and it ends cancelled (after_call). The worker
/// enforces it on delivery and with its own timer; the repair sweep ends whatever nobody worked on.
/// </summary>
public sealed class DeadlineTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FakeGemini _gemini = null!;
    private TestDatabase _database = null!; // the repair sweep acts on every row
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _gemini = await FakeGemini.StartAsync();
        _database = await TestDatabase.CreateAsync();
        _app = await FunctionApp.StartWithGeminiAsync(_gemini, settings =>
        {
            settings["Gemini:AttemptTimeoutSeconds"] = "300";
            settings["Gemini:MaxRetries"] = "0";
        }, _database, _clock);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    [Fact]
    public async Task NotStartedByItsDeadline_TheGenerationIsExpired_WithNoCallMade()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = await _app.Api.CreateAsync(token, new { prompt = "a banana", deadlineSeconds = 60 });
        var generation = created.Generation;

        // Act: the message arrives after the deadline (a long queue, an outage).
        _clock.Advance(TimeSpan.FromSeconds(61));
        var delivery = await _app.DeliverAsync(generation.Id);
        var read = (await _app.Api.GetAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal(generation.CreatedAt.AddSeconds(60), generation.DeadlineAt);
        Assert.Null(delivery);
        Assert.Equal(("expired", "before_call", 0), (read.Status, read.CancelOutcome, read.PaidCalls));
        Assert.Equal(("DEADLINE_EXCEEDED", true), (read.Error?.Code, read.Error?.Retryable));
        Assert.Null(read.PollAfterSeconds);
        Assert.Empty(_gemini.Requests);
    }

    [Fact]
    public async Task StillRunningAtItsDeadline_TheCallIsStopped_AndItEndsCancelledAfterCall()
    {
        // Arrange
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        _gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await _app.Api.CreateAsync(token, new { prompt = "a banana" }, new Dictionary<string, string> { ["Cancel-After"] = "2m" })).Generation;
        var delivery = _app.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: two minutes pass with Gemini still thinking (the heartbeat renews the lease meanwhile).
        for (var i = 0; i < 8; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
        }

        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Null(await delivery);
        var read = (await _app.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal(("cancelled", "after_call", 1, "DEADLINE_EXCEEDED"), (read.Status, read.CancelOutcome, read.PaidCalls, read.Error?.Code));
        Assert.Contains(_app.Logs.Lines, l => l.Message.Contains("stopped at its deadline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRepairSweep_EndsWhatIsPastItsDeadline_PendingAsExpired_AndAnAbandonedClaimAsCancelled()
    {
        // Arrange: one still waiting, one whose worker died mid-call (a claim, a reserved call, then silence), one without a deadline.
        var token = TestTokens.For(TestTokens.NewUserId());
        var waiting = (await _app.Api.CreateAsync(token, new { prompt = "waits", deadlineSeconds = 30 })).Generation;
        var abandoned = (await _app.Api.CreateAsync(token, new { prompt = "abandoned", deadlineSeconds = 30 })).Generation;
        var unbounded = await _app.Api.CreateGenerationAsync(token, "no deadline");
        await _app.ExecuteSqlAsync(
            "UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, run_gemini_calls = 1, paid_calls = 1, lease_expires_at = @now + interval '45 seconds', started_at = @now WHERE id = @id",
            ("id", abandoned.Id), ("now", _clock.GetUtcNow()));

        // Act
        _clock.Advance(TimeSpan.FromSeconds(31));
        var report = await _app.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert
        Assert.Equal(2, report.Overdue);
        Assert.Equal(0, report.Requeued);
        Assert.Equal(("expired", 1), await OutcomeAsync(waiting.Id, "before_call"));
        Assert.Equal(("cancelled", 1), await OutcomeAsync(abandoned.Id, "after_call"));
        Assert.Equal("pending", (await _app.RowAsync(unbounded.Id)).Status);
    }

    [Fact]
    public async Task AnIdleSweep_FindsNothingOverdue_BeforeTheDeadline()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await _app.Api.CreateAsync(token, new { prompt = "waits", deadlineSeconds = 30 })).Generation;

        // Act
        _clock.Advance(TimeSpan.FromSeconds(29));
        var report = await _app.Services.GetRequiredService<RepairService>().RunAsync(sweepOrphanBlobs: false, CancellationToken.None);

        // Assert
        Assert.Equal(0, report.Overdue);
        Assert.Equal("pending", (await _app.RowAsync(generation.Id)).Status);
    }

    [Fact]
    public async Task RetryingAnExpiredGeneration_IsANewRun_WithoutTheDeadline()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await _app.Api.CreateAsync(token, new { prompt = "late", deadlineSeconds = 10 })).Generation;
        _clock.Advance(TimeSpan.FromSeconds(11));
        await _app.DeliverAsync(generation.Id);

        // Act
        var retried = await _app.Api.RetryAsync(token, generation.Id.ToString());
        await _app.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, retried.Status);
        Assert.Equal(("pending", null, null, null), (retried.Generation.Status, retried.Generation.DeadlineAt, retried.Generation.CancelOutcome, retried.Generation.Error));
        Assert.Equal("completed", (await _app.RowAsync(generation.Id)).Status);
    }

    [Fact]
    public async Task AnExpiry_IsInTheEventLog_WithWhatItCost_AndEndsTheEventStream()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = (await _app.Api.CreateAsync(token, new { prompt = "late", deadlineSeconds = 10 })).Generation;
        _clock.Advance(TimeSpan.FromSeconds(11));

        // Act
        await _app.DeliverAsync(generation.Id);
        var events = await _app.Api.EventsAsync(token, generation.Id.ToString());

        // Assert: the stream replays queued then expired, and ends there.
        var body = System.Text.Encoding.UTF8.GetString(events.Body);
        Assert.Contains("event: expired", body, StringComparison.Ordinal);
        Assert.Contains("\"cancelOutcome\":\"before_call\"", body, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"DEADLINE_EXCEEDED\"", body, StringComparison.Ordinal);
    }

    private async Task<(string Status, long Matching)> OutcomeAsync(Guid id, string outcome) =>
        ((await _app.RowAsync(id)).Status,
         await _app.ScalarAsync("SELECT count(*) FROM generations WHERE id = @id AND cancel_outcome = @outcome AND error_code = 'DEADLINE_EXCEEDED'",
             ("id", id), ("outcome", outcome)));
}
