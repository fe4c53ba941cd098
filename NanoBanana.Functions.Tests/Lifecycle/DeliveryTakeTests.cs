using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Lifecycle;

/// <summary>
/// A queue delivery's one statement (<see cref="GenerationTransitions.Take"/>): it claims, or ends what can never be
/// claimed, or does nothing, and exactly one of those for each state a generation can be in when its message comes.
/// </summary>
public sealed class DeliveryTakeTests : IAsyncLifetime
{
    private static readonly RunLimits Limits = new(MaxAttempts: 2, MaxCalls: 3);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(45);
    private FunctionApp _app = null!;
    private MaintenanceRoleStore _store = null!;

    public async Task InitializeAsync()
    {
        _app = await FunctionApp.StartAsync();
        _store = _app.Function<MaintenanceRoleStore>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task APendingGeneration_IsClaimed_AndADuplicateDeliveryWhileItRuns_FindsNothing()
    {
        var id = await CreateAsync();

        var first = await _store.TakeAsync(id, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);
        var duplicate = await _store.TakeAsync(id, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);

        Assert.Equal((DeliveryTake.Claimed, GenerationStatus.Processing, 1), (first.Taken, first.Row!.Status, first.Row.RunAttempt));
        Assert.Equal((DeliveryTake.Nothing, (Generation?)null), duplicate);
        Assert.Equal(("processing", 1, (string?)null), await _app.RowAsync(id));
    }

    [Fact]
    public async Task PastItsDeadline_AWaitingGenerationExpires_AndAnAbandonedClaimIsCancelled()
    {
        var waiting = await CreateAsync("deadline_at = now() - interval '1 second'");
        var abandoned = await CreateAsync("status = 'processing', attempt = 1, run_attempt = 1, lease_expires_at = now() - interval '1 second', deadline_at = now() - interval '1 second'");

        var expired = await _store.TakeAsync(waiting, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);
        var cancelled = await _store.TakeAsync(abandoned, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);

        Assert.Equal((DeliveryTake.Expired, GenerationStatus.Expired), (expired.Taken, expired.Row!.Status));
        Assert.Equal((DeliveryTake.Expired, GenerationStatus.Cancelled), (cancelled.Taken, cancelled.Row!.Status));
        Assert.Equal(GenerationErrorCodes.DeadlineExceeded, (await _app.RowAsync(abandoned)).ErrorCode);
    }

    [Fact]
    public async Task ARunAtALimit_FailsWithItsLastFailure_OrStuck_AndTheDeadlineWinsWhenBothHold()
    {
        var attempts = await CreateAsync("run_attempt = 2, attempt = 2, last_error_code = 'GEMINI_UNAVAILABLE', last_error_message = 'down'");
        var calls = await CreateAsync("run_gemini_calls = 3");
        var both = await CreateAsync("run_attempt = 2, attempt = 2, deadline_at = now() - interval '1 second'");

        var byAttempts = await _store.TakeAsync(attempts, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);
        var byCalls = await _store.TakeAsync(calls, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);
        var overdue = await _store.TakeAsync(both, DateTimeOffset.UtcNow, Lease, Limits, CancellationToken.None);

        Assert.Equal((DeliveryTake.Exhausted, "GEMINI_UNAVAILABLE"), (byAttempts.Taken, byAttempts.Row!.Error?.Code));
        Assert.Equal((DeliveryTake.Exhausted, GenerationErrorCodes.Stuck), (byCalls.Taken, byCalls.Row!.Error?.Code));
        Assert.Equal((DeliveryTake.Expired, GenerationStatus.Expired), (overdue.Taken, overdue.Row!.Status));
    }

    private async Task<Guid> CreateAsync(string? set = null)
    {
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        if (set is not null)
        {
            await _app.ExecuteSqlAsync($"UPDATE generations SET {set} WHERE id = @id", ("id", generation.Id));
        }

        return generation.Id;
    }
}
