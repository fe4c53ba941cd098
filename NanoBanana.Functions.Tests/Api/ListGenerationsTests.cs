using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class ListGenerationsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    [Fact]
    public async Task List_ShowsWhatTheGenerationShows_WithoutReadingItsInputNamesRequestHashOrKey()
    {
        // Arrange: a generation with two references, an Idempotency-Key, a personal key (sealed in the row
        // while it runs) and a finished result.
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        var body = new { prompt = "a banana, listed", images = new[] { TestImages.Part("image/png", TestImages.Png), TestImages.Part("image/jpeg", TestImages.Jpeg) } };
        var id = (await _app.Api.CreateAsync(token, body, new Dictionary<string, string>
        {
            ["Idempotency-Key"] = Guid.NewGuid().ToString(),
            ["X-Gemini-Api-Key"] = "AIza-a-personal-key-of-the-caller",
        })).Generation.Id;
        await _app.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 1, run_attempt = 1, started_at = now(), version = version + 1,
                   result_images = '[{"blobName":"x/output-0","mimeType":"image/png","bytes":1234}]', result_text = 'here it is'
            WHERE id = @id
            """, ("id", id));
        Assert.Equal(1, await _app.ScalarAsync(
            "SELECT count(*) FROM generations WHERE id = @id AND request_hash IS NOT NULL AND api_key_ciphertext IS NOT NULL", ("id", id)));

        // Act
        var single = await _app.Api.GetAsync(token, id.ToString());
        var listed = await _app.Api.ListAsync(token);
        var stored = (await _app.Services.GetRequiredService<ApiRoleStore>().ListAsync(owner, null, null, 10, CancellationToken.None)).Single();

        // Assert: the list's item is the generation as GET shows it (but for the seconds it has been running).
        var item = listed.Read<GenerationPageResponse>().Items.Single();
        Assert.Equal(2, item.InputImageCount);
        Assert.Equal("image/png", Assert.Single(item.Images).MimeType);
        Assert.Equal(Shown(single.Generation), Shown(item));
        Assert.Empty(stored.InputImages);
        Assert.Equal(2, stored.InputImageCount);
        Assert.Null(stored.RequestHash);
        Assert.Null(stored.ApiKey);
    }

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

    private static string Shown(GenerationResponse generation) => JsonSerializer.Serialize(generation with { ElapsedSeconds = 0 }, ApiJson.Options);
}
