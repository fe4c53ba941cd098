using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class ListGenerationsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    [Fact]
    public async Task List_PagesAHistoryOf50_NewestFirst_WithoutGapsOrRepeats()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            created.Add((await _app.Api.CreateGenerationAsync(token, $"prompt {i}")).Id);
        }

        // Act
        var seen = new List<GenerationResponse>();
        var pageSizes = new List<int>();
        string? cursor = null;
        do
        {
            var response = await _app.Api.ListAsync(token, "?limit=20" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.Equal(StatusCodes.Status200OK, response.Status);
            var page = response.Read<GenerationPageResponse>();
            pageSizes.Add(page.Items.Count);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        // Assert
        Assert.Equal([20, 20, 10], pageSizes);
        Assert.Equal(Enumerable.Reverse(created), seen.Select(g => g.Id));
        Assert.Equal("prompt 49", seen[0].Prompt);
    }

    [Fact]
    public async Task List_FiltersByStatus_AndShowsOnlyTheCallersGenerations()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var kept = await _app.Api.CreateGenerationAsync(token, "keep");
        var cancelled = await _app.Api.CreateGenerationAsync(token, "cancel me");
        await _app.Api.CancelAsync(token, cancelled.Id.ToString());
        await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()), "someone else's");

        // Act
        var all = (await _app.Api.ListAsync(token)).Read<GenerationPageResponse>();
        var onlyCancelled = (await _app.Api.ListAsync(token, "?status=cancelled")).Read<GenerationPageResponse>();

        // Assert
        Assert.Equal([cancelled.Id, kept.Id], all.Items.Select(g => g.Id));
        Assert.Null(all.NextCursor);
        Assert.Equal([cancelled.Id], onlyCancelled.Items.Select(g => g.Id));
    }

    [Theory]
    [InlineData("?status=done", "invalid_status")]
    [InlineData("?limit=0", "invalid_limit")]
    [InlineData("?limit=101", "invalid_limit")]
    [InlineData("?limit=ten", "invalid_limit")]
    [InlineData("?cursor=definitely-not-a-cursor", "invalid_cursor")]
    public async Task List_RejectsABadQuery(string query, string expectedCode)
    {
        // Act
        var response = await _app.Api.ListAsync(TestTokens.For(TestTokens.NewUserId()), query);

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal(expectedCode, response.ProblemCode);
    }
}
