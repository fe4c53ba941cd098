using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// A cancel says what it cost (issue 23 item 5): before_call when no paid Gemini call of the run had
/// started, after_call when one had; every generation shows paidCalls. A cancel that wins before the
/// call's reservation means the call is never made; one during the call aborts it at once (the
/// heartbeat is woken by the row's change on the LISTEN session, not by the next beat).
/// </summary>
public sealed class HonestCancelTests : WorkerAppTests
{
    // The clock never moves unless a test moves it: anything that happens did not wait for a beat.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private protected override TimeProvider Clock => _clock;

    // No retries inside the call: a retry's wait would run on the frozen clock.
    private protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Gemini:AttemptTimeoutSeconds"] = "300";
        settings["Gemini:MaxRetries"] = "0";
    }

    [Fact]
    public async Task CancelWhilePending_IsBeforeCall_AndNoCallIsEverMade()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var cancelled = await App.Api.CancelAsync(token, generation.Id.ToString());
        var delivery = await App.DeliverAsync(generation.Id); // the message still arrives

        // Assert
        Assert.Equal(StatusCodes.Status200OK, cancelled.Status);
        Assert.Equal(("cancelled", "before_call", 0), (cancelled.Generation.Status, cancelled.Generation.CancelOutcome, cancelled.Generation.PaidCalls));
        Assert.Null(delivery);
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task CancelDuringTheCall_IsAfterCall_AndAbortsTheRequestWithoutWaitingForABeat()
    {
        // Arrange: Gemini never answers on its own.
        var arrived = new TaskCompletionSource();
        var abandoned = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Hanging(arrived, abandoned));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        var delivery = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: the clock stays put, so no timed beat can come.
        var cancelled = await App.Api.CancelAsync(token, generation.Id.ToString());
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(("cancelled", "after_call", 1), (cancelled.Generation.Status, cancelled.Generation.CancelOutcome, cancelled.Generation.PaidCalls));
        Assert.Null(await delivery);
        Assert.Empty(await App.BlobNamesAsync($"{generation.Id:D}/output-"));
        var read = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal(("after_call", 1), (read.CancelOutcome, read.PaidCalls));
    }

    [Fact]
    public async Task ACancelThatWinsAfterTheClaim_ButBeforeTheReservation_MakesTheReservationFail()
    {
        // Arrange: a worker has claimed the generation and not yet reserved its call.
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        var store = App.Services.GetRequiredService<MaintenanceRoleStore>();
        var claimed = (await store.TakeAsync(generation.Id, _clock.GetUtcNow(), TimeSpan.FromSeconds(45), new RunLimits(5, 3), CancellationToken.None)).Row;
        Assert.NotNull(claimed);

        // Act
        var cancelled = await App.Api.CancelAsync(token, generation.Id.ToString());
        var reserved = await store.ReserveCallAsync(claimed, maxCalls: 3, _clock.GetUtcNow(), CancellationToken.None);

        // Assert: nothing reserved, so the worker makes no call; the cancel said so.
        Assert.Null(reserved);
        Assert.Equal(("before_call", 0), (cancelled.Generation.CancelOutcome, cancelled.Generation.PaidCalls));
    }

    [Fact]
    public async Task CancelsRacingReservations_AlwaysSayWhatHappened()
    {
        // Arrange: 40 claimed generations, each raced by a cancel and a reservation at once.
        var token = TestTokens.For(TestTokens.NewUserId());
        var store = App.Services.GetRequiredService<MaintenanceRoleStore>();
        var claims = new List<Generation>();
        for (var i = 0; i < 40; i++)
        {
            var created = await App.Api.CreateGenerationAsync(token);
            claims.Add(((await store.TakeAsync(created.Id, _clock.GetUtcNow(), TimeSpan.FromSeconds(45), new RunLimits(5, 3), CancellationToken.None)).Row)!);
        }

        // Act
        var races = await Task.WhenAll(claims.Select(async claimed =>
        {
            var reserve = Task.Run(() => store.ReserveCallAsync(claimed, maxCalls: 3, _clock.GetUtcNow(), CancellationToken.None));
            var cancel = Task.Run(() => App.Api.CancelAsync(token, claimed.Id.ToString()));
            return (Reserved: await reserve is not null, Cancelled: (await cancel).Generation);
        }));

        // Assert: a reservation that got in is after_call and counted; one that did not is before_call and never happened.
        Assert.All(races, race => Assert.Equal(
            race.Reserved ? ("after_call", 1) : ("before_call", 0),
            (race.Cancelled.CancelOutcome, race.Cancelled.PaidCalls)));
    }

    [Fact]
    public async Task ACompletedGeneration_ShowsItsPaidCall_AndNoCancelOutcome()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverUntilSettledAsync(generation.Id);
        var read = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal(("completed", 1, (string?)null), (read.Status, read.PaidCalls, read.CancelOutcome));
    }

    [Fact]
    public async Task ACallGoogleRefused_IsGivenBack_SoACancelAfterItIsBeforeCall()
    {
        // Arrange: a 429, which Google answers before doing any work; then the cancel while the next attempt waits.
        Gemini.Enqueue(GeminiReplies.Error(429, "RESOURCE_EXHAUSTED", "slow down"));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        await App.DeliverAsync(generation.Id);
        var waiting = await App.RowAsync(generation.Id);

        // Act
        var cancelled = (await App.Api.CancelAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal("pending", waiting.Status);
        Assert.Equal(("before_call", 0), (cancelled.CancelOutcome, cancelled.PaidCalls));
    }
}
