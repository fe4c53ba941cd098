using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class GenerationImageTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    [Fact]
    public async Task Image_OfAGenerationStillRunning_Is404SayingWhy()
    {
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);

        var response = await _app.Api.ImageAsync(token, generation.Id.ToString());

        Assert.Equal(StatusCodes.Status404NotFound, response.Status);
        Assert.Equal("image_not_found", response.ProblemCode);
        Assert.Contains("pending", response.Json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Image_IsServedWithItsTypeAndADownloadName_AndOnlyToItsOwner()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await _app.DeliverUntilSettledAsync(generation.Id);

        // Act
        var own = await _app.Api.ImageAsync(token, generation.Id.ToString(), "?index=0");
        var foreign = await _app.Api.ImageAsync(TestTokens.For(TestTokens.NewUserId()), generation.Id.ToString());
        var beyond = await _app.Api.ImageAsync(token, generation.Id.ToString(), "?index=1");
        var nonsense = await _app.Api.ImageAsync(token, generation.Id.ToString(), "?index=-1");

        // Assert
        Assert.Equal(StatusCodes.Status200OK, own.Status);
        Assert.Equal("image/png", own.ContentType);
        Assert.Equal("nosniff", own.Headers.XContentTypeOptions.ToString());
        Assert.StartsWith("sandbox", own.Headers.ContentSecurityPolicy.ToString());
        Assert.Contains($"{generation.Id:D}-0.png", own.Headers.ContentDisposition.ToString());
        Assert.Equal("generation_not_found", foreign.ProblemCode);
        Assert.Equal("image_not_found", beyond.ProblemCode);
        Assert.Equal("invalid_image_index", nonsense.ProblemCode);
    }
}
