using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>Every way Gemini can fail ends the generation as failed, with its own code and a readable message.</summary>
public sealed class GeminiFailureTests : WorkerAppTests
{
    private protected override void Configure(Dictionary<string, string?> settings) => settings["Gemini:AttemptTimeoutSeconds"] = "1";

    public static TheoryData<string, string> FinalAnswers => new()
    {
        { "blockReason SAFETY", "PROMPT_BLOCKED" },
        { "finishReason SAFETY", "SAFETY" },
        { "finishReason IMAGE_SAFETY", "IMAGE_SAFETY" },
        { "finishReason PROHIBITED_CONTENT", "PROHIBITED_CONTENT" },
        { "finishReason IMAGE_PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT" },
        { "finishReason BLOCKLIST", "BLOCKLIST" },
        { "finishReason SPII", "SPII" },
        { "finishReason RECITATION", "RECITATION" },
        { "finishReason IMAGE_RECITATION", "IMAGE_RECITATION" },
        { "finishReason NO_IMAGE", "NO_IMAGE" },
        { "finishReason OTHER", "MODEL_OTHER" },
        { "finishReason IMAGE_OTHER", "IMAGE_OTHER" },
        { "finishReason FUTURE_REASON", "MODEL_STOPPED" },
        { "STOP with text only", "TEXT_ONLY" },
        { "empty candidates", "EMPTY_RESPONSE" },
        { "an SVG image", "UNSUPPORTED_IMAGE" },
        { "HTML declared image/png", "UNSUPPORTED_IMAGE" },
        { "400 INVALID_ARGUMENT", "INVALID_REQUEST" },
        { "400 API_KEY_INVALID", "INVALID_API_KEY" },
        { "403 PERMISSION_DENIED", "PERMISSION_DENIED" },
        { "404 NOT_FOUND", "MODEL_NOT_FOUND" },
        { "429 per-day quota", "QUOTA_EXHAUSTED" },
    };

    [Theory]
    [MemberData(nameof(FinalAnswers))]
    public async Task AFinalAnswer_FailsTheGenerationAtOnce_WithItsCode(string answer, string expectedCode)
    {
        // Arrange
        Gemini.Default = Reply(answer);
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var deliveries = await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        var after = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("failed", after.Status);
        Assert.Equal(expectedCode, after.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(after.Error.Message));
        Assert.Equal(1, deliveries);
        Assert.Single(Gemini.Requests);
    }

    [Fact]
    public async Task ModelNotFound_SaysWhichSettingToChange()
    {
        Gemini.Default = Reply("404 NOT_FOUND");
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        await App.DeliverUntilSettledAsync(generation.Id);

        var error = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation.Error!;
        Assert.Contains("gemini-3.1-flash-image", error.Message);
        Assert.Contains("Gemini__Model", error.Message);
    }

    [Fact]
    public async Task TextOnlyRefusal_KeepsTheModelsWords()
    {
        Gemini.Default = GeminiReplies.FinishReason("STOP", "I can't draw that, but here is a poem instead.");
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        await App.DeliverUntilSettledAsync(generation.Id);

        var error = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation.Error!;
        Assert.Equal("TEXT_ONLY", error.Code);
        Assert.Contains("a poem instead", error.Message);
    }

    [Fact]
    public async Task A429WithRetryDelay_ThenSuccess_Completes_WithinOneDelivery()
    {
        // Arrange
        Gemini.Enqueue(
            GeminiReplies.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", GeminiReplies.QuotaFailure("GenerateRequestsPerMinutePerProjectPerModel"), GeminiReplies.RetryInfo("0.2s")),
            GeminiReplies.Image(TestImages.Png));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var deliveries = await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(1, deliveries);
        Assert.Equal(2, Gemini.Requests.Count);
        Assert.Equal("completed", (await App.Api.GetAsync(token, generation.Id.ToString())).Generation.Status);
    }

    [Fact]
    public async Task Persistent500s_AreNotRepeatedWithinACall_AndFailTheGenerationAfterTheRunsAttempts()
    {
        // Arrange: 2 attempts; a 500 may come after Google started the work, so no retry within the call.
        Gemini.Default = GeminiReplies.Error(500, "INTERNAL", "An internal error has occurred.");
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var deliveries = await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(2, deliveries);
        Assert.Equal(2, Gemini.Requests.Count);
        var after = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("failed", after.Status);
        Assert.Equal("GEMINI_UNAVAILABLE", after.Error!.Code);
        Assert.True(after.Error.Retryable);
        Assert.Equal(2, after.Attempts);
    }

    public static TheoryData<string, string> TransientTroubles => new()
    {
        { "503 UNAVAILABLE", "GEMINI_UNAVAILABLE" },
        { "429 per-minute", "RATE_LIMITED" },
        { "HTML error page", "GEMINI_UNAVAILABLE" },
        { "truncated JSON", "MALFORMED_RESPONSE" },
        { "invalid base64", "MALFORMED_RESPONSE" },
        { "connection reset mid-body", "GEMINI_UNAVAILABLE" },
        { "slower than the timeout", "GEMINI_TIMEOUT" },
    };

    [Theory]
    [MemberData(nameof(TransientTroubles))]
    public async Task TransientTrouble_IsRetried_ThenFailsWithItsCode(string trouble, string expectedCode)
    {
        // Arrange
        Gemini.Default = Reply(trouble);
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var deliveries = await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(2, deliveries);
        var after = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("failed", after.Status);
        Assert.Equal(expectedCode, after.Error!.Code);
    }

    [Fact]
    public async Task AConnectionCutMidResponse_IsRetried_AndTheGenerationCompletes()
    {
        // Arrange: a connection cut while Google answered may have been paid: it is not repeated
        // within the call; the run's next attempt makes one more call.
        Gemini.Enqueue(GeminiReplies.ResetMidBody());
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(2, Gemini.Requests.Count);
        Assert.Equal("completed", (await App.RowAsync(generation.Id)).Status);
    }

    [Fact]
    public async Task AnImageDeclaredAsAnotherType_IsStoredAndServedAsWhatItsBytesAre()
    {
        // Arrange: PNG bytes that Gemini's part calls text/html.
        Gemini.Default = GeminiReplies.Image(TestImages.Png, "text/html");
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverUntilSettledAsync(generation.Id);
        var download = await App.Api.ImageAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status200OK, download.Status);
        Assert.Equal("image/png", download.ContentType);
    }

    [Fact]
    public async Task AResponseOfManyMegabytes_IsStoredAndServedByteIdentical()
    {
        // Arrange: a 20 MB image (27 MB of base64 on the wire).
        var image = new byte[20 * 1024 * 1024];
        new Random(42).NextBytes(image);
        TestImages.Png.CopyTo(image, 0);
        Gemini.Default = GeminiReplies.LargeImage(image);
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverUntilSettledAsync(generation.Id);
        var download = await App.Api.ImageAsync(token, generation.Id.ToString());

        // Assert
        Assert.True(download.Status == StatusCodes.Status200OK, string.Join('\n', App.Logs.Lines.Select(l => l.Message)));
        Assert.Equal(image.Length, download.Body.Length);
        Assert.True(image.AsSpan().SequenceEqual(download.Body));
    }

    /// <summary>A Gemini answer by name: the final answers and transient troubles above.</summary>
    internal static Func<HttpContext, Task> Reply(string answer) => answer switch
    {
        "blockReason SAFETY" => GeminiReplies.BlockReason("SAFETY"),
        "STOP with text only" => GeminiReplies.FinishReason("STOP", "I cannot create that image."),
        "empty candidates" => GeminiReplies.Json(200, new { candidates = Array.Empty<object>() }),
        "an SVG image" => GeminiReplies.Image(Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"""), "image/svg+xml"),
        "HTML declared image/png" => GeminiReplies.Image(Encoding.UTF8.GetBytes("<html><script>alert(document.cookie)</script></html>")),
        "400 INVALID_ARGUMENT" => GeminiReplies.Error(400, "INVALID_ARGUMENT", "Unable to process input image."),
        "400 API_KEY_INVALID" => GeminiReplies.Error(400, "INVALID_ARGUMENT", "API key not valid.", GeminiReplies.ErrorInfo("API_KEY_INVALID")),
        "403 PERMISSION_DENIED" => GeminiReplies.Error(403, "PERMISSION_DENIED", "Permission denied."),
        "404 NOT_FOUND" => GeminiReplies.Error(404, "NOT_FOUND", "models/gemini-3.1-flash-image is not found."),
        "429 per-day quota" => GeminiReplies.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", GeminiReplies.QuotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier")),
        "429 per-minute" => GeminiReplies.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", GeminiReplies.RetryInfo("0.01s")),
        "500 INTERNAL" => GeminiReplies.Error(500, "INTERNAL", "An internal error has occurred."),
        "503 UNAVAILABLE" => GeminiReplies.Error(503, "UNAVAILABLE", "The model is overloaded."),
        "HTML error page" => GeminiReplies.Html(502),
        "truncated JSON" => GeminiReplies.Json(200, """{"candidates":[{"content":{"parts":[{"text":"Here"""),
        "invalid base64" => GeminiReplies.Json(200, """{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"@@not base64@@"}}]},"finishReason":"STOP"}]}"""),
        "connection reset mid-body" => GeminiReplies.ResetMidBody(),
        "slower than the timeout" => GeminiReplies.Delayed(TimeSpan.FromSeconds(5), GeminiReplies.Image(TestImages.Png)),
        _ when answer.StartsWith("finishReason ", StringComparison.Ordinal) => GeminiReplies.FinishReason(answer["finishReason ".Length..]),
        _ => throw new ArgumentOutOfRangeException(nameof(answer), answer, null),
    };
}
