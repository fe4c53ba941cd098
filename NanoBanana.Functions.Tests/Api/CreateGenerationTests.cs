using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class CreateGenerationTests : IAsyncLifetime
{
    private FunctionApp _app = null!;

    public async Task InitializeAsync() => _app = await FunctionApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Create_ReturnsAcceptedWithLocation_AndTheGenerationReadsBack()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var created = await _app.Api.CreateAsync(token, new { prompt = "a banana surfing", aspectRatio = "9:16", resolution = "1K" });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        var generation = created.Generation;
        Assert.Equal($"/api/generations/{generation.Id}", created.Headers.Location.ToString());
        Assert.Equal("10", created.Headers.RetryAfter.ToString());
        Assert.False(string.IsNullOrEmpty(created.Headers.ETag));
        Assert.Equal("pending", generation.Status);
        Assert.Equal(10, generation.PollAfterSeconds);
        Assert.Equal("9:16", generation.Options.AspectRatio);

        var read = await _app.Api.GetAsync(token, generation.Id.ToString());
        Assert.Equal(StatusCodes.Status200OK, read.Status);
        Assert.Equal(generation.Id, read.Generation.Id);
        Assert.Equal("a banana surfing", read.Generation.Prompt);
        Assert.Equal("pending", read.Generation.Status);
        Assert.Equal(generation.CreatedAt, read.Generation.CreatedAt);
    }

    [Fact]
    public async Task Create_SendsAMessageHoldingOnlyTheId_EncodedAsTheTriggerDecodesIt()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var generation = await _app.Api.CreateGenerationAsync(token, "a secret prompt that must not travel");

        // Assert: host.json says messageEncoding base64, so the trigger base64-decodes the raw text.
        var messages = (await _app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value;
        var message = Assert.Single(messages);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        Assert.Equal(generation.Id.ToString("D"), decoded);
    }

    [Fact]
    public async Task Create_WithImages_StoresThemInBlobStorage_NotInTheRow()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var body = new { prompt = "make it a cartoon", images = new[] { TestImages.Part("image/png", TestImages.Png), TestImages.Part("image/jpeg", TestImages.Jpeg) } };

        // Act
        var created = await _app.Api.CreateAsync(token, body);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        var id = created.Generation.Id;
        Assert.Equal(2, created.Generation.InputImageCount);
        var png = await _app.Images.GetBlobClient($"{id:D}/input-0").DownloadContentAsync();
        Assert.Equal(TestImages.Png, png.Value.Content.ToArray());
        Assert.Equal("image/png", png.Value.Details.ContentType);
        var jpeg = await _app.Images.GetBlobClient($"{id:D}/input-1").DownloadContentAsync();
        Assert.Equal("image/jpeg", jpeg.Value.Details.ContentType);
    }

    [Fact]
    public async Task Create_WithTheSameIdempotencyKeyAndBody_ReturnsTheSameGeneration_AndQueuesItOnce()
    {
        // Arrange
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var body = new { prompt = "same request, dropped response", aspectRatio = "1:1" };

        // Act
        var first = await _app.Api.CreateAsync(token, body, headers);
        var second = await _app.Api.CreateAsync(token, body, headers);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, second.Status);
        Assert.Equal(first.Generation.Id, second.Generation.Id);
        Assert.Equal("true", second.Headers["Idempotent-Replayed"].ToString());
        Assert.Equal(1, await _app.CountRowsAsync(userId));
        Assert.Single((await _app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
    }

    [Fact]
    public async Task Create_WithTheSameIdempotencyKeyConcurrently_StoresOneGeneration()
    {
        // Arrange
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "retry-storm-" + Guid.NewGuid() };
        var body = new { prompt = "one of many identical retries", images = new[] { TestImages.Part("image/png", TestImages.Png) } };

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _app.Api.CreateAsync(token, body, headers)));

        // Assert
        Assert.All(responses, r => Assert.Equal(StatusCodes.Status202Accepted, r.Status));
        Assert.Single(responses.Select(r => r.Generation.Id).Distinct());
        Assert.Equal(1, await _app.CountRowsAsync(userId));
        var blobs = new List<string>();
        await foreach (var blob in _app.Images.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal([$"{responses[0].Generation.Id:D}/input-0"], blobs);
    }

    [Fact]
    public async Task Create_WithTheSameIdempotencyKeyButAnotherBody_IsAConflict()
    {
        // Arrange
        var userId = TestTokens.NewUserId();
        var token = TestTokens.For(userId);
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        await _app.Api.CreateAsync(token, new { prompt = "first" }, headers);

        // Act
        var second = await _app.Api.CreateAsync(token, new { prompt = "something else" }, headers);

        // Assert
        Assert.Equal(StatusCodes.Status409Conflict, second.Status);
        Assert.Equal("idempotency_key_reused", second.ProblemCode);
        Assert.Equal(1, await _app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task Create_TheSameIdempotencyKeyFromTwoUsers_MakesTwoGenerations()
    {
        // Arrange
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "shared-key-" + Guid.NewGuid() };

        // Act
        var a = await _app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "p" }, headers);
        var b = await _app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "p" }, headers);

        // Assert
        Assert.NotEqual(a.Generation.Id, b.Generation.Id);
    }

    [Fact]
    public async Task Create_WithoutAToken_IsUnauthorized_AndStoresNothing()
    {
        // Act
        var response = await _app.Api.CreateAsync(token: null, new { prompt = "anonymous" });

        // Assert
        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
        Assert.Equal("authentication_required", response.ProblemCode);
        Assert.StartsWith("Bearer", response.Headers.WWWAuthenticate.ToString());
    }
}
