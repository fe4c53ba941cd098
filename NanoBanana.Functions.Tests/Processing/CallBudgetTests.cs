using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// One owner for retries: at most Gemini__MaxCallsPerRun paid calls per run, counted in the row
/// before each is sent; within a call only refusals Google did no work for are sent again.
/// </summary>
public sealed class CallBudgetTests : WorkerAppTests
{
    private protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Gemini:AttemptTimeoutSeconds"] = "1";
        settings["Gemini:MaxCallsPerRun"] = "3";
        settings["Processing:MaxAttempts"] = "5";
    }

    public static TheoryData<string, string> MaybePaidFailures => new()
    {
        { "500 INTERNAL", "GEMINI_UNAVAILABLE" },
        { "connection reset mid-body", "GEMINI_UNAVAILABLE" },
        { "slower than the timeout", "GEMINI_TIMEOUT" },
        { "truncated JSON", "MALFORMED_RESPONSE" },
    };

    [Theory]
    [MemberData(nameof(MaybePaidFailures))]
    public async Task AFailureAfterGoogleMayHaveStarted_IsNotRepeatedWithinTheDelivery_AndTheRunStopsAtItsBudget(string reply, string code)
    {
        // Arrange: 5 attempts allowed, 3 paid calls.
        Gemini.Default = GeminiFailureTests.Reply(reply);
        var generation = await App.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));

        // Act
        var deliveries = await App.DeliverUntilSettledAsync(generation.Id);

        // Assert: one request per delivery, three in all, then the real failure.
        Assert.Equal(3, deliveries);
        Assert.Equal(3, Gemini.Requests.Count);
        Assert.Equal(("failed", 3, code), await App.RowAsync(generation.Id));
        Assert.Equal(3, (await App.RunAsync(generation.Id)).Calls);
    }

    [Fact]
    public async Task RefusalsAreRetriedWithinTheCall_AndGivenBackToTheBudget()
    {
        // Arrange: three 503s (1 + MaxRetries 2) use up the first delivery's call; then an image.
        var overloaded = GeminiFailureTests.Reply("503 UNAVAILABLE");
        Gemini.Enqueue(overloaded, overloaded, overloaded, GeminiReplies.Image(TestImages.Png));
        var generation = await App.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));

        // Act
        var deliveries = await App.DeliverUntilSettledAsync(generation.Id);

        // Assert: the refusals cost nothing; the call that produced the image is the run's only paid one.
        Assert.Equal(2, deliveries);
        Assert.Equal(4, Gemini.Requests.Count);
        Assert.Equal("completed", (await App.RowAsync(generation.Id)).Status);
        Assert.Equal((2, 1, "GEMINI_UNAVAILABLE"), await App.RunAsync(generation.Id));
    }

    [Fact]
    public async Task AWaitLongerThanACallMayHold_EndsTheCall_AndTheNextAttemptWaitsItInTheQueue()
    {
        // Arrange: Google asks for 30 s; a call waits at most Gemini__RetryMaxDelaySeconds (10 s).
        Gemini.Default = GeminiReplies.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
            GeminiReplies.QuotaFailure("GenerateRequestsPerMinutePerProjectPerModel"), GeminiReplies.RetryInfo("30s"));
        var generation = await App.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await App.RawQueue.ClearMessagesAsync();

        // Act
        var thrown = await App.DeliverAsync(generation.Id);

        // Assert: the delivery ended cleanly; the generation waits for a message that is not visible yet.
        Assert.Null(thrown);
        Assert.Single(Gemini.Requests);
        Assert.Equal(("pending", 1, (string?)null), await App.RowAsync(generation.Id));
        Assert.Equal((1, 0, "RATE_LIMITED"), await App.RunAsync(generation.Id));
        Assert.Equal(1, (await App.RawQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await App.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
    }

    [Theory]
    [InlineData("GEMINI_TIMEOUT", "GEMINI_TIMEOUT")]
    [InlineData(null, "STUCK")]
    public async Task ARunWhoseCallsWereSpentByWorkersThatDied_FailsWithItsLastFailure_WithoutCallingGemini(string? lastError, string expected)
    {
        // Arrange: three claims, each reserved its call and its worker died (the lease ran out).
        var generation = await App.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        await App.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 3, run_attempt = 3, run_gemini_calls = 3, started_at = created_at,
                                   lease_expires_at = now() - interval '1 second', last_error_code = @code, last_error_message = 'earlier'
            WHERE id = @id
            """, ("id", generation.Id), ("code", (object?)lastError ?? DBNull.Value));

        // Act
        var thrown = await App.DeliverAsync(generation.Id);

        // Assert
        Assert.Null(thrown);
        Assert.Equal(("failed", 3, expected), await App.RowAsync(generation.Id));
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task AUserRetry_StartsARunWithAFreshBudget()
    {
        // Arrange: a run that failed after its three paid calls.
        Gemini.Default = GeminiFailureTests.Reply("500 INTERNAL");
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        await App.DeliverUntilSettledAsync(generation.Id);
        Gemini.Default = GeminiReplies.Image(TestImages.Png);

        // Act
        var retried = await App.Api.RetryAsync(token, generation.Id.ToString());
        await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, retried.Status);
        Assert.Equal(("completed", 4, (string?)null), await App.RowAsync(generation.Id));
        Assert.Equal((1, 1, (string?)null), await App.RunAsync(generation.Id));
        Assert.Equal(4, Gemini.Requests.Count);
    }
}
