using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>Long-polls cannot use up an instance's HTTP slots (issue 20, item 5): capped per user and per instance.</summary>
public sealed class LongPollCapTests
{
    [Fact]
    public async Task PastTheCaps_APreferWaitIsAnsweredAtOnce_WithoutPreferenceApplied()
    {
        // Arrange: 2 waits per user, 3 per instance; the clock never moves, so held waits stay held.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Api:MaxWaitsPerUser"] = "2";
            settings["Api:MaxWaitsPerInstance"] = "3";
        }, clock);
        var slots = app.Services.GetRequiredService<LongPollSlots>();
        var (alice, bob, carol) = (TestTokens.For(TestTokens.NewUserId()), TestTokens.For(TestTokens.NewUserId()), TestTokens.For(TestTokens.NewUserId()));
        async Task<(string Id, string ETag)> GenerationOf(string token)
        {
            var id = (await app.Api.CreateGenerationAsync(token)).Id.ToString();
            return (id, (await app.Api.GetAsync(token, id)).Headers.ETag.ToString());
        }

        var (a, b, c) = (await GenerationOf(alice), await GenerationOf(bob), await GenerationOf(carol));
        var held = new List<Task<TestResponse>> { app.Api.GetAsync(alice, a.Id, a.ETag, prefer: "wait=30"), app.Api.GetAsync(alice, a.Id, a.ETag, prefer: "wait=30") };
        await HeldAsync(slots, 2);

        // Act
        var alicesThird = await app.Api.GetAsync(alice, a.Id, a.ETag, prefer: "wait=30");
        held.Add(app.Api.GetAsync(bob, b.Id, b.ETag, prefer: "wait=30"));
        await HeldAsync(slots, 3);
        var carolsFirst = await app.Api.GetAsync(carol, c.Id, c.ETag, prefer: "wait=30");
        var carolsCreate = await app.Api.CreateAsync(carol, new { prompt = "p" }, new Dictionary<string, string> { ["Prefer"] = "wait=30" });

        // Assert: answered at once (the clock never moved), as plain polls.
        Assert.Equal(StatusCodes.Status304NotModified, alicesThird.Status);
        Assert.False(alicesThird.Headers.ContainsKey("Preference-Applied"));
        Assert.Equal(StatusCodes.Status304NotModified, carolsFirst.Status);
        Assert.False(carolsFirst.Headers.ContainsKey("Preference-Applied"));
        Assert.Equal(StatusCodes.Status202Accepted, carolsCreate.Status);
        Assert.False(carolsCreate.Headers.ContainsKey("Preference-Applied"));
        Assert.All(held, poll => Assert.False(poll.IsCompleted));

        // The held waits end at their deadline and give their slots back.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.All(await Task.WhenAll(held), poll => Assert.Equal("wait=30", poll.Headers["Preference-Applied"].ToString()));
        await HeldAsync(slots, 0);
    }

    private static async Task HeldAsync(LongPollSlots slots, int count)
    {
        for (var i = 0; i < 500 && slots.Held != count; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(count, slots.Held);
    }
}
