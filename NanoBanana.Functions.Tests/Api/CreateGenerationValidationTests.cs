using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>Bad create requests get a 400 (or 413/415) problem+json with a stable code, and leave no row behind.</summary>
public sealed class CreateGenerationValidationTests(SmallBodyAppFixture fixture) : IClassFixture<SmallBodyAppFixture>
{
    private static readonly string Png = Convert.ToBase64String(TestImages.Png);
    private readonly FunctionApp _app = fixture.App;

    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        { "malformed JSON", """{"prompt": "unterminated""", "invalid_json" },
        { "not an object", "null", "invalid_json" },
        { "prompt of the wrong type", """{"prompt": 42}""", "invalid_json" },
        { "missing prompt", """{}""", "prompt_required" },
        { "empty prompt", """{"prompt": ""}""", "prompt_required" },
        { "blank prompt", """{"prompt": "   "}""", "prompt_required" },
        { "oversized prompt", $$"""{"prompt": "{{new string('x', 10_001)}}"}""", "prompt_too_long" },
        { "bad base64", """{"prompt": "p", "images": [{"mimeType": "image/png", "data": "not*base64!"}]}""", "invalid_image_data" },
        { "data URL instead of base64", $$"""{"prompt": "p", "images": [{"mimeType": "image/png", "data": "data:image/png;base64,{{Png}}"}]}""", "invalid_image_data" },
        { "too many images", $$"""{"prompt": "p", "images": [{{string.Join(",", Enumerable.Repeat($$"""{"mimeType": "image/png", "data": "{{Png}}"}""", 15))}}]}""", "too_many_images" },
        { "image without data", """{"prompt": "p", "images": [{"mimeType": "image/png"}]}""", "image_required" },
        { "unsupported image type", $$"""{"prompt": "p", "images": [{"mimeType": "image/gif", "data": "{{Png}}"}]}""", "unsupported_image_type" },
        { "bytes that are not an image", $$"""{"prompt": "p", "images": [{"mimeType": "image/png", "data": "{{Convert.ToBase64String(TestImages.NotAnImage)}}"}]}""", "invalid_image_data" },
        { "declared type differs from bytes", $$"""{"prompt": "p", "images": [{"mimeType": "image/jpeg", "data": "{{Png}}"}]}""", "image_type_mismatch" },
        { "unknown aspect ratio", """{"prompt": "p", "aspectRatio": "7:3"}""", "invalid_aspect_ratio" },
        { "unknown resolution", """{"prompt": "p", "resolution": "8K"}""", "invalid_resolution" },
        { "model not offered", """{"prompt": "p", "model": "gemini-1.0-pro"}""", "unsupported_model" },
        { "misspelled field", """{"prompt": "p", "aspect_ratio": "1:1"}""", "unknown_field" },
        { "a user id in the body", """{"prompt": "p", "userId": "someone-else"}""", "unknown_field" },
        { "a deadline too short to reach a worker", """{"prompt": "p", "deadlineSeconds": 4}""", "invalid_deadline" },
        { "a deadline past the longest allowed", """{"prompt": "p", "deadlineSeconds": 86401}""", "invalid_deadline" },
        { "a deadline that is not a number", """{"prompt": "p", "deadlineSeconds": "1m"}""", "invalid_json" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Create_RejectsInvalidBody_WithItsCode_AndStoresNothing(string because, string body, string expectedCode)
    {
        // Arrange
        var userId = TestTokens.NewUserId();

        // Act
        var response = await _app.Api.CreateRawAsync(TestTokens.For(userId), body);

        // Assert
        Assert.True(response.Status == StatusCodes.Status400BadRequest, $"{because}: {response}");
        Assert.Equal(expectedCode, response.ProblemCode);
        Assert.False(string.IsNullOrWhiteSpace(response.Json.GetProperty("detail").GetString()));
        Assert.Equal(0, await _app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task Create_WithAMalformedCancelAfter_Is400InvalidDeadline_AndStoresNothing()
    {
        // Arrange
        var userId = TestTokens.NewUserId();

        // Act
        var response = await _app.Api.CreateAsync(TestTokens.For(userId), new { prompt = "p" }, new Dictionary<string, string> { ["Cancel-After"] = "tomorrow" });

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("invalid_deadline", response.ProblemCode);
        Assert.Equal("Cancel-After", response.Json.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(0, await _app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task Create_NamesTheAllowedValues_OfTheChosenModel()
    {
        // Act: 3 Pro draws no 512 and no 4:1 (3.1 Flash does).
        var response = await _app.Api.CreateRawAsync(TestTokens.For(TestTokens.NewUserId()),
            """{"prompt": "p", "model": "gemini-3-pro-image", "aspectRatio": "4:1", "resolution": "512"}""");

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        var errors = response.Json.GetProperty("errors").EnumerateArray()
            .ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()).ToList());
        Assert.Equal(["1K", "2K", "4K"], errors["resolution"]);
        Assert.DoesNotContain("4:1", errors["aspectRatio"]);
        Assert.Contains("21:9", errors["aspectRatio"]);
    }

    [Fact]
    public async Task Create_ReportsEveryInvalidField_NotJustTheFirst()
    {
        // Act
        var response = await _app.Api.CreateRawAsync(TestTokens.For(TestTokens.NewUserId()), """{"prompt": "", "aspectRatio": "7:3", "resolution": "9K"}""");

        // Assert
        Assert.Equal("prompt_required", response.ProblemCode);
        var fields = response.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(["prompt", "aspectRatio", "resolution"], fields);
    }

    [Fact]
    public async Task Create_RejectsANonJsonContentType_With415()
    {
        // Act
        var response = await _app.Api.CreateRawAsync(TestTokens.For(TestTokens.NewUserId()), "prompt=hello", "application/x-www-form-urlencoded");

        // Assert
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, response.Status);
        Assert.Equal("unsupported_media_type", response.ProblemCode);
    }

    [Fact]
    public async Task Create_RejectsABodyOverTheCap_With413()
    {
        // Arrange: 64 KiB cap in this app; a 100 KB prompt is over it.
        var userId = TestTokens.NewUserId();

        // Act
        var response = await _app.Api.CreateRawAsync(TestTokens.For(userId), $$"""{"prompt": "{{new string('x', 100_000)}}"}""");

        // Assert
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, response.Status);
        Assert.Equal("payload_too_large", response.ProblemCode);
        Assert.Equal(0, await _app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task Create_RejectsAnInvalidIdempotencyKey()
    {
        // Act
        var response = await _app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "p" },
            new Dictionary<string, string> { ["Idempotency-Key"] = new string('k', 300) });

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("invalid_idempotency_key", response.ProblemCode);
    }
}
