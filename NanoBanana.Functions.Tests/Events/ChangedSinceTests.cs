using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Events;

/// <summary>GET /api/generations?changedSince=: a phone that wakes is up to date after one request.</summary>
public sealed class ChangedSinceTests
{
    [Fact]
    public async Task Wake_With50Changed_IsOneRequest_ThenNothingChangedIs304()
    {
        // Arrange: the phone's token from before it slept, then 50 generations change (created; half finished).
        await using var app = await FunctionApp.StartAsync(s => s["Events:BatchSize"] = "60");
        var token = TestTokens.For(TestTokens.NewUserId());
        var before = (await app.Api.ListAsync(token, "?changedSince=0")).Read<GenerationChangesResponse>();
        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add((await app.Api.CreateGenerationAsync(token)).Id);
        }

        foreach (var id in ids.Take(25))
        {
            await app.DeliverUntilSettledAsync(id);
        }

        // Act
        var wake = await app.Api.ListAsync(token, $"?changedSince={before.ChangeToken}");
        var changes = wake.Read<GenerationChangesResponse>();
        var again = await ListAsync(app, token, $"?changedSince={changes.ChangeToken}", wake.Headers.ETag.ToString());

        // Assert: every one, once, as it is now; then a bodiless 304 under the same ETag.
        Assert.Equal(StatusCodes.Status200OK, wake.Status);
        Assert.Equal(ids.Order(), changes.Items.Select(g => g.Id).Order());
        Assert.Equal(25, changes.Items.Count(g => g.Status == "completed"));
        Assert.False(changes.More);
        Assert.Equal(StatusCodes.Status304NotModified, again.Status);
        Assert.Empty(again.Body);
        Assert.Equal(wake.Headers.ETag.ToString(), again.Headers.ETag.ToString());
    }

    [Fact]
    public async Task ACutAnswer_SaysMore_AndTheNextTokenListsTheRest()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(s => s["Events:BatchSize"] = "3");
        var token = TestTokens.For(TestTokens.NewUserId());
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await app.Api.CreateGenerationAsync(token)).Id);
        }

        await app.Api.CancelAsync(token, ids[0].ToString()); // the first one changed last

        // Act
        var first = (await app.Api.ListAsync(token, "?changedSince=0")).Read<GenerationChangesResponse>();
        var second = (await app.Api.ListAsync(token, $"?changedSince={first.ChangeToken}")).Read<GenerationChangesResponse>();

        // Assert: in the order of their latest change, each once across both answers.
        Assert.True(first.More);
        Assert.False(second.More);
        Assert.Equal([ids[1], ids[2], ids[3]], first.Items.Select(g => g.Id));
        Assert.Equal([ids[4], ids[0]], second.Items.Select(g => g.Id));
        Assert.Equal("cancelled", second.Items[^1].Status);
    }

    [Fact]
    public async Task ABadToken_Is400()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var response = await app.Api.ListAsync(token, "?changedSince=yesterday");

        // Assert
        Assert.Equal((StatusCodes.Status400BadRequest, "invalid_change_token"), (response.Status, response.ProblemCode));
    }

    private static Task<TestResponse> ListAsync(FunctionApp app, string token, string query, string ifNoneMatch) =>
        app.InvokeAsync(app.Request("GET", "/api/generations" + query, token, headers: new Dictionary<string, string> { ["If-None-Match"] = ifNoneMatch }),
            async r => await app.Function<GenerationFunctions>().List(r, CancellationToken.None));
}
