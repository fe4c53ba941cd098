using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Gemini;

/// <summary>What goes over the wire to Google, checked on a real HTTP server: URL, headers and body, for both endpoints.</summary>
public sealed class GeminiWireTests : IAsyncLifetime
{
    private static readonly GeminiRequest Request = new(
        "gemini-3.1-flash-image", "Make it look like a cartoon",
        [new GeminiImage("image/png", TestImages.Png)], AspectRatio: "9:16", ImageSize: "2K");

    private FakeGemini _gemini = null!;

    public async Task InitializeAsync() => _gemini = await FakeGemini.StartAsync();

    public async Task DisposeAsync() => await _gemini.DisposeAsync();

    [Fact]
    public async Task DeveloperApi_PostsToV1betaModels_WithTheApiKeyHeader_AndTheDocumentedBody()
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var client = app.Services.GetRequiredService<IGeminiClient>();

        // Act
        var outcome = await client.GenerateAsync(Request, CancellationToken.None);

        // Assert
        Assert.True(outcome.Succeeded);
        var sent = Assert.Single(_gemini.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1beta/models/gemini-3.1-flash-image:generateContent", sent.PathAndQuery);
        Assert.Equal(TestSecrets.ServerGeminiKey, sent.Headers["x-goog-api-key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
        Assert.StartsWith("application/json", sent.Headers["Content-Type"]);
        AssertDocumentedBody(sent.Json, expectImageSize: true);
        Assert.DoesNotContain(app.Logs.Lines, l => (l.Message + l.Exception).Contains(TestSecrets.ServerGeminiKey));
    }

    [Theory]
    [InlineData("gemini-3-pro-image", "2K", true)]
    [InlineData("gemini-3-pro-image", "512", false)] // 512 is 3.1 Flash's only
    [InlineData("gemini-next-image", "2K", false)] // not in the catalog: conservative, no imageSize
    public async Task DeveloperApi_SendsImageSize_OnlyWhenTheCatalogSaysTheModelTakesIt(string model, string size, bool sent)
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var client = app.Services.GetRequiredService<IGeminiClient>();

        // Act
        await client.GenerateAsync(Request with { Model = model, ImageSize = size }, CancellationToken.None);

        // Assert
        var request = Assert.Single(_gemini.Requests);
        Assert.Equal($"/v1beta/models/{model}:generateContent", request.PathAndQuery);
        Assert.Equal(sent, request.Json.GetProperty("generationConfig").GetProperty("imageConfig").TryGetProperty("imageSize", out var value));
        Assert.True(!sent || value.GetString() == size);
    }

    [Fact]
    public async Task DeveloperApi_UsesAPerRequestKey_WhenOneIsGiven()
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);

        // Act
        await app.Services.GetRequiredService<IGeminiClient>().GenerateAsync(Request with { ApiKey = "AIza-user-key" }, CancellationToken.None);

        // Assert
        Assert.Equal("AIza-user-key", Assert.Single(_gemini.Requests).Headers["x-goog-api-key"]);
    }

    [Fact]
    public async Task Vertex_SignsInWithAServiceAccount_ThenPostsToThePublisherModelPath_WithABearerToken()
    {
        // Arrange: a service-account key file whose token_uri is the fake's OAuth endpoint.
        var keyFile = Path.Combine(Path.GetTempPath(), $"sa-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(keyFile, ServiceAccountJson(_gemini.BaseUrl + "/token"));
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Gemini:Backend"] = "Vertex";
            settings["Gemini:VertexProjectId"] = "banana-project";
            settings["Gemini:VertexLocation"] = "us-central1";
            settings["Gemini:VertexBaseUrl"] = _gemini.BaseUrl;
            settings["Gemini:VertexCredentialsFile"] = keyFile;
        });
        var client = app.Services.GetRequiredService<IGeminiClient>();

        try
        {
            // Act
            var first = await client.GenerateAsync(Request, CancellationToken.None);
            var second = await client.GenerateAsync(Request, CancellationToken.None);

            // Assert
            Assert.True(first.Succeeded && second.Succeeded);
            var token = Assert.Single(_gemini.TokenRequests); // cached for the second call
            var form = System.Text.Encoding.UTF8.GetString(token.Body);
            Assert.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", form);
            Assert.Contains("assertion=", form);

            var sent = _gemini.Requests.First();
            Assert.Equal("/v1/projects/banana-project/locations/us-central1/publishers/google/models/gemini-3.1-flash-image:generateContent", sent.PathAndQuery);
            Assert.Equal("Bearer " + FakeGemini.AccessToken, sent.Headers["Authorization"]);
            Assert.False(sent.Headers.ContainsKey("x-goog-api-key"));
            AssertDocumentedBody(sent.Json, expectImageSize: true);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task AModelGoogleShutDown_Answers404_AndFailsAsModelNotFound()
    {
        // Arrange: the fake answers a shut-down id as Google does, whatever it was scripted to say.
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var client = app.Services.GetRequiredService<IGeminiClient>();

        // Act
        var outcome = await client.GenerateAsync(Request with { Model = "gemini-2.5-flash-image" }, CancellationToken.None);

        // Assert
        Assert.Equal(GeminiFailureCodes.ModelNotFound, outcome.Failure?.Code);
        Assert.False(outcome.Failure!.Transient);
    }

    private static void AssertDocumentedBody(JsonElement body, bool expectImageSize)
    {
        var content = Assert.Single(body.GetProperty("contents").EnumerateArray());
        Assert.Equal("user", content.GetProperty("role").GetString());
        var parts = content.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(2, parts.Count);
        var inline = parts[0].GetProperty("inlineData");
        Assert.Equal("image/png", inline.GetProperty("mimeType").GetString());
        Assert.Equal(Convert.ToBase64String(TestImages.Png), inline.GetProperty("data").GetString());
        Assert.Equal("Make it look like a cartoon", parts[1].GetProperty("text").GetString());

        var config = body.GetProperty("generationConfig");
        Assert.Equal(["TEXT", "IMAGE"], config.GetProperty("responseModalities").EnumerateArray().Select(m => m.GetString()));
        var imageConfig = config.GetProperty("imageConfig");
        Assert.Equal("9:16", imageConfig.GetProperty("aspectRatio").GetString());
        Assert.Equal(expectImageSize, imageConfig.TryGetProperty("imageSize", out var size));
        if (expectImageSize)
        {
            Assert.Equal("2K", size.GetString());
        }
    }

    private static string ServiceAccountJson(string tokenUri)
    {
        using var rsa = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "banana-project",
            ["private_key_id"] = "test-key-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "nanobanana@banana-project.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = tokenUri,
        });
    }
}
