using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>Per-user limits, counted in Postgres, hold across instances.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task OneHundredRapidCreates_FromTwoInstances_StopExactlyAtTheHourlyLimit_UntilTheHourHasPassed()
    {
        // Arrange: two instances of the app sharing one database and one clock (on a whole second,
        // as Postgres keeps microseconds).
        static void Limits(Dictionary<string, string?> settings)
        {
            settings["Limits:MaxCreationsPerHour"] = "20";
            settings["Limits:MaxActivePerUser"] = "1000";
        }

        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var db = await TestDatabase.CreateAsync();
        await using var first = await FunctionApp.StartAsync(Limits, clock, db);
        await using var second = await FunctionApp.StartAsync(Limits, clock, db);
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(() => (i % 2 == 0 ? first : second).Api.CreateAsync(token, new { prompt = $"rapid {i}" }))));
        clock.Advance(TimeSpan.FromMinutes(25));
        var twentyFiveMinutesOn = await first.Api.CreateAsync(token, new { prompt = "25 minutes on" });
        clock.Advance(TimeSpan.FromMinutes(35));
        var anHourOn = await second.Api.CreateAsync(token, new { prompt = "an hour on" });

        // Assert: Retry-After is when the oldest of the 20 turns an hour old.
        Assert.Equal(20, responses.Count(r => r.Status == StatusCodes.Status202Accepted));
        var refused = responses.Where(r => r.Status != StatusCodes.Status202Accepted).ToList();
        Assert.Equal(80, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(StatusCodes.Status429TooManyRequests, r.Status);
            Assert.Equal("rate_limited", r.ProblemCode);
            Assert.Equal("3600", r.Headers.RetryAfter.ToString());
        });
        Assert.Equal("rate_limited", twentyFiveMinutesOn.ProblemCode);
        Assert.Equal("2100", twentyFiveMinutesOn.Headers.RetryAfter.ToString());
        Assert.Equal(StatusCodes.Status202Accepted, anHourOn.Status);
        Assert.Equal(21, await first.CountRowsAsync(userId));
    }

    [Fact]
    public async Task TheActiveLimit_RefusesMoreWork_UntilOneFinishes()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Limits:MaxActivePerUser"] = "3");
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);
        var active = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            active.Add((await app.Api.CreateGenerationAsync(token)).Id);
        }

        // Act
        var fourth = await app.Api.CreateAsync(token, new { prompt = "one too many" });
        await app.Api.CancelAsync(token, active[0].ToString());
        var afterCancel = await app.Api.CreateAsync(token, new { prompt = "room again" });
        var retryOverLimit = await app.Api.RetryAsync(token, active[0].ToString());

        // Assert
        Assert.Equal(StatusCodes.Status429TooManyRequests, fourth.Status);
        Assert.Equal("too_many_active_generations", fourth.ProblemCode);
        Assert.Equal("10", fourth.Headers.RetryAfter.ToString());
        Assert.Equal(StatusCodes.Status202Accepted, afterCancel.Status);
        Assert.Equal("too_many_active_generations", retryOverLimit.ProblemCode);
        Assert.Equal(4, await app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task DeletingGenerations_DoesNotGiveTheHourlyQuotaBack()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Limits:MaxCreationsPerHour"] = "3");
        var token = TestTokens.For(TestTokens.NewUserId());
        for (var i = 0; i < 3; i++)
        {
            var generation = await app.Api.CreateGenerationAsync(token);
            Assert.Equal(StatusCodes.Status204NoContent, (await app.Api.DeleteAsync(token, generation.Id.ToString())).Status);
        }

        // Act
        var fourth = await app.Api.CreateAsync(token, new { prompt = "the quota is spent, deleted or not" });

        // Assert
        Assert.Equal("rate_limited", fourth.ProblemCode);
    }

    [Fact]
    public async Task RepeatsOfACreate_ThatUsedTheLastSlot_AreAnsweredWithIt_NotWith429()
    {
        // Arrange: one creation per hour; the phone fires the same request (same key) eight times at once.
        await using var app = await FunctionApp.StartAsync(settings => settings["Limits:MaxCreationsPerHour"] = "1");
        var token = TestTokens.For(TestTokens.NewUserId());
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => app.Api.CreateAsync(token, new { prompt = "once" }, headers))));

        // Assert
        Assert.All(responses, r => Assert.Equal(StatusCodes.Status202Accepted, r.Status));
        Assert.Single(responses.Select(r => r.Generation.Id).Distinct());
    }

    [Fact]
    public async Task Limits_AreCountedPerUser()
    {
        await using var app = await FunctionApp.StartAsync(settings => settings["Limits:MaxActivePerUser"] = "1");
        await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));

        var someoneElse = await app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "p" });

        Assert.Equal(StatusCodes.Status202Accepted, someoneElse.Status);
    }
}
