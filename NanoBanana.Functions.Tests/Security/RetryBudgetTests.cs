using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>Retrying a generation in a loop cannot get around the hourly limit or buy unlimited paid calls (issue 20, item 3).</summary>
public sealed class RetryBudgetTests
{
    [Fact]
    public async Task Retries_CountInTheHourlyLimit()
    {
        // Arrange: 3 per hour; one generation, cancelled and retried.
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Limits:MaxCreationsPerHour"] = "3";
            settings["Limits:MaxActivePerUser"] = "100";
        });
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateGenerationAsync(token)).Id.ToString();

        // Act
        var answers = new List<TestResponse>();
        for (var i = 0; i < 3; i++)
        {
            await app.Api.CancelAsync(token, id);
            answers.Add(await app.Api.RetryAsync(token, id));
        }

        var create = await app.Api.CreateAsync(token, new { prompt = "one more" });

        // Assert: the create and two retries used the hour.
        Assert.Equal([StatusCodes.Status202Accepted, StatusCodes.Status202Accepted, StatusCodes.Status429TooManyRequests], answers.Select(a => a.Status));
        Assert.Equal("rate_limited", answers[2].ProblemCode);
        Assert.Equal("rate_limited", create.ProblemCode);
    }

    [Fact]
    public async Task ARefusedPromptRetriedInALoop_StopsAtTheUsersHourlyBudgetOfPaidCalls()
    {
        // Arrange: every call is a safety refusal (paid, not retryable); 2 paid calls per user per hour.
        await using var gemini = await FakeGemini.StartAsync();
        gemini.Default = GeminiReplies.BlockReason("SAFETY");
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var app = await FunctionApp.StartWithGeminiAsync(gemini, settings =>
        {
            settings["Limits:MaxPaidCallsPerHour"] = "2";
            settings["Limits:MaxCreationsPerHour"] = "100";
        }, clock: clock);
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateGenerationAsync(token)).Id;

        // Act
        await app.DeliverUntilSettledAsync(id);
        var firstRetry = await app.Api.RetryAsync(token, id.ToString());
        await app.DeliverUntilSettledAsync(id);
        clock.Advance(TimeSpan.FromMinutes(10));
        var secondRetry = await app.Api.RetryAsync(token, id.ToString());
        var create = await app.Api.CreateAsync(token, new { prompt = "another" });
        clock.Advance(TimeSpan.FromMinutes(50));
        var anHourOn = await app.Api.RetryAsync(token, id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, firstRetry.Status);
        Assert.Equal(StatusCodes.Status429TooManyRequests, secondRetry.Status);
        Assert.Equal("paid_call_budget_exhausted", secondRetry.ProblemCode);
        Assert.Equal("3000", secondRetry.Headers.RetryAfter.ToString());
        Assert.Equal("paid_call_budget_exhausted", create.ProblemCode);
        Assert.Equal(StatusCodes.Status202Accepted, anHourOn.Status);
        Assert.Equal(2, gemini.Requests.Count);
    }
}
