using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

public sealed class HostileInputTests(SmallBodyAppFixture fixture) : IClassFixture<SmallBodyAppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    [Theory]
    [InlineData("'); DROP TABLE generations; --")]
    [InlineData("\" OR 1=1 --")]
    [InlineData("$1; SELECT pg_sleep(10); --")]
    [InlineData("a banana'; UPDATE generations SET owner_id = 'me' WHERE ''='")]
    [InlineData("🍌 <script>alert(1)</script> \\u0041 %s %n {0}")]
    public async Task InjectionShapedPrompts_AreStoredVerbatim_AndHarmless(string prompt)
    {
        // Arrange
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);

        // Act
        var created = await _app.Api.CreateAsync(token, new { prompt });
        var read = await _app.Api.GetAsync(token, created.Generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal(prompt, read.Generation.Prompt);
        Assert.Equal(1, await _app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task APromptWithNul_IsRefused_NotA500()
    {
        var userId = TestTokens.NewUserId();

        var response = await _app.Api.CreateRawAsync(TestTokens.For(userId), """{"prompt":"before\u0000after"}""");

        Assert.Equal("invalid_prompt", response.ProblemCode);
        Assert.Equal(0, await _app.CountRowsAsync(userId));
    }

    [Theory]
    [InlineData("oversized body", StatusCodes.Status413PayloadTooLarge, "payload_too_large")]
    [InlineData("wrong content type", StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("not an image", StatusCodes.Status400BadRequest, "invalid_image_data")]
    [InlineData("image type lie", StatusCodes.Status400BadRequest, "image_type_mismatch")]
    public async Task BadRequests_GetTheirStatus_AndLeaveNoRowOrBlob(string kind, int status, string code)
    {
        // Arrange
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);
        var pdf = Convert.ToBase64String(TestImages.NotAnImage);
        var png = Convert.ToBase64String(TestImages.Png);

        // Act
        var response = kind switch
        {
            "oversized body" => await _app.Api.CreateRawAsync(token, $$"""{"prompt":"p","images":[{"mimeType":"image/png","data":"{{Convert.ToBase64String(new byte[70_000])}}"}]}"""),
            "wrong content type" => await _app.Api.CreateRawAsync(token, """{"prompt":"p"}""", "text/plain"),
            "not an image" => await _app.Api.CreateRawAsync(token, $$"""{"prompt":"p","images":[{"mimeType":"image/png","data":"{{pdf}}"}]}"""),
            _ => await _app.Api.CreateRawAsync(token, $$"""{"prompt":"p","images":[{"mimeType":"image/webp","data":"{{png}}"}]}"""),
        };

        // Assert
        Assert.Equal(status, response.Status);
        Assert.Equal(code, response.ProblemCode);
        Assert.Equal(0, await _app.CountRowsAsync(userId));
        Assert.Empty(await _app.BlobNamesAsync());
    }
}
