using Microsoft.Extensions.Options;
using Moq;
using NanoBanana.Functions.Gemini;

namespace NanoBanana.Functions.Tests.Gemini;

public sealed class GeminiEndpointTests
{
    private static GeminiEndpoint Endpoint(GeminiOptions options, Mock<IGoogleAccessTokenSource>? tokens = null) =>
        new(Options.Create(options), (tokens ?? TokenSource("token")).Object);

    private static Mock<IGoogleAccessTokenSource> TokenSource(string token)
    {
        var tokens = new Mock<IGoogleAccessTokenSource>();
        tokens.Setup(t => t.GetAccessTokenAsync(It.IsAny<CancellationToken>())).ReturnsAsync(token);
        return tokens;
    }

    [Theory]
    [InlineData("global", "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/google/models/m1:generateContent")]
    [InlineData("europe-west4", "https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west4/publishers/google/models/m1:generateContent")]
    public async Task Vertex_UsesTheRegionalHost_ExceptForGlobal(string location, string expected)
    {
        // Arrange
        var tokens = TokenSource("ya29.abc");
        var endpoint = Endpoint(new GeminiOptions { Backend = GeminiBackend.Vertex, VertexProjectId = "p1", VertexLocation = location }, tokens);

        // Act
        using var request = await endpoint.CreateRequestAsync("m1", apiKeyOverride: null, CancellationToken.None);

        // Assert
        Assert.Equal(expected, request.RequestUri!.ToString());
        Assert.Equal("Bearer ya29.abc", request.Headers.Authorization!.ToString());
        tokens.Verify(t => t.GetAccessTokenAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Developer_NeverAsksForAGoogleToken()
    {
        // Arrange
        var tokens = new Mock<IGoogleAccessTokenSource>(MockBehavior.Strict);
        var endpoint = Endpoint(new GeminiOptions { Backend = GeminiBackend.Developer, ApiKey = "k" }, tokens);

        // Act
        using var request = await endpoint.CreateRequestAsync("gemini-3.1-flash-image", null, CancellationToken.None);

        // Assert
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-3.1-flash-image:generateContent", request.RequestUri!.ToString());
        Assert.Equal("k", Assert.Single(request.Headers.GetValues("x-goog-api-key")));
    }
}
