using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Lifecycle;

/// <summary>
/// An owner's cancel or retry that loses a race says why from its own statement: the row it found under its lock,
/// which is the version that beat it, not the statement's older snapshot. Each test holds the row in another
/// transaction that changes it, starts the transition (it waits on the lock), then commits the change.
/// </summary>
public sealed class OwnerRefusalTests : IAsyncLifetime
{
    private FunctionApp _app = null!;

    public async Task InitializeAsync() => _app = await FunctionApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ACancel_ThatWaitedForACompletion_IsRefusedWithTheCompletedRow()
    {
        // Arrange
        var owner = TestTokens.NewUserId();
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(owner));
        var store = _app.Function<ApiRoleStore>();

        // Act: the completion holds the row while the cancel starts.
        var outcome = await WhileHeldAsync(
            "UPDATE generations SET status = 'completed', completed_at = now(), version = version + 1 WHERE id = @id", generation.Id,
            () => store.CancelAsync(owner, generation.Id, DateTimeOffset.UtcNow, CancellationToken.None));

        // Assert
        Assert.False(outcome.Applied);
        Assert.Equal(GenerationStatus.Completed, outcome.Row?.Status);
        Assert.Equal(("completed", 0, (string?)null), await _app.RowAsync(generation.Id));
    }

    [Fact]
    public async Task ACancel_ThatWins_IsApplied_AndACancelOfSomeoneElsesGeneration_FindsNothing()
    {
        // Arrange
        var owner = TestTokens.NewUserId();
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(owner));
        var store = _app.Function<ApiRoleStore>();

        // Act
        var stranger = await store.CancelAsync(TestTokens.NewUserId(), generation.Id, DateTimeOffset.UtcNow, CancellationToken.None);
        var cancelled = await store.CancelAsync(owner, generation.Id, DateTimeOffset.UtcNow, CancellationToken.None);
        var again = await store.CancelAsync(owner, generation.Id, DateTimeOffset.UtcNow, CancellationToken.None);

        // Assert
        Assert.Equal(TransitionOutcome.NotFound, stranger);
        Assert.True(cancelled.Applied);
        Assert.Equal((GenerationStatus.Cancelled, CancelOutcome.BeforeCall), (cancelled.Row!.Status, cancelled.Row.CancelOutcome));
        Assert.False(again.Applied);
        Assert.Equal(cancelled.Row.Version, again.Row!.Version);
    }

    [Fact]
    public async Task ARetry_ThatWaitedForAnotherRetry_IsRefusedWithThePendingStatus_AndOneDeletedMeanwhile_IsNotFound()
    {
        // Arrange: two failed generations.
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var requeued = await _app.Api.CreateGenerationAsync(token);
        var deleted = await _app.Api.CreateGenerationAsync(token);
        foreach (var id in new[] { requeued.Id, deleted.Id })
        {
            await _app.ExecuteSqlAsync(
                "UPDATE generations SET status = 'failed', error_code = 'STUCK', completed_at = now(), version = version + 1 WHERE id = @id", ("id", id));
        }

        var service = _app.Function<GenerationService>();

        // Act: the first is queued again by another request, the second deleted, each while the retry waits.
        var lostToARetry = await Record.ExceptionAsync(() => WhileHeldAsync(
            "UPDATE generations SET status = 'pending', completed_at = NULL, error_code = NULL, version = version + 1 WHERE id = @id", requeued.Id,
            () => service.RetryAsync(owner, requeued.Id, personalKey: null, CancellationToken.None)));
        var lostToADelete = await Record.ExceptionAsync(() => WhileHeldAsync(
            "DELETE FROM generations WHERE id = @id", deleted.Id,
            () => service.RetryAsync(owner, deleted.Id, personalKey: null, CancellationToken.None)));

        // Assert
        Assert.Equal(GenerationStatus.Pending, Assert.IsType<GenerationNotRetryableException>(lostToARetry).Status);
        Assert.IsType<GenerationNotFoundException>(lostToADelete);
    }

    // Runs the change in a transaction that holds the row, starts the transition, waits until Postgres shows it
    // waiting for that lock, then commits the change, so the transition reads the row only after the commit.
    private async Task<T> WhileHeldAsync<T>(string change, Guid id, Func<Task<T>> transition)
    {
        await using var holder = await _app.DataSource.OpenConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(change, holder, transaction) { Parameters = { new("id", id) } })
        {
            await command.ExecuteNonQueryAsync();
        }

        var running = transition();
        await WaitForALockWaiterAsync(holder.ProcessID);
        await transaction.CommitAsync();
        return await running;
    }

    private async Task WaitForALockWaiterAsync(int holderPid)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await _app.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE @holder = ANY(pg_blocking_pids(pid))", ("holder", holderPid)) == 0)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
