using System.Net;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Tests.Gemini;

public sealed class GeminiErrorClassifierTests
{
    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("0.5s", 500)]
    [InlineData("1.250s", 1_250)]
    public void RetryDelay_ReadsProtobufDurations(string text, int expectedMilliseconds)
    {
        var delay = GeminiErrorClassifier.RetryDelay([new ErrorDetail("type.googleapis.com/google.rpc.RetryInfo", text, null, null)]);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), delay);
    }

    [Theory]
    [InlineData("15")]
    [InlineData("soon")]
    [InlineData("-1s")]
    public void RetryDelay_IgnoresWhatItCannotRead(string text)
    {
        Assert.Null(GeminiErrorClassifier.RetryDelay([new ErrorDetail(null, text, null, null)]));
    }

    [Fact]
    public void Classify_429_CarriesTheServersRetryDelay_OverTheHeader()
    {
        // Arrange
        var body = new ErrorResponse(new ErrorStatus(429, "slow down", "RESOURCE_EXHAUSTED", [new ErrorDetail(null, "7s", null, null)]));

        // Act
        var failure = GeminiErrorClassifier.Classify(HttpStatusCode.TooManyRequests, body, TimeSpan.FromSeconds(30), "m");

        // Assert
        Assert.Equal(GeminiFailureCodes.RateLimited, failure.Code);
        Assert.True(failure.Transient);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, false, true)]
    [InlineData(HttpStatusCode.Forbidden, false, true)]
    [InlineData(HttpStatusCode.NotFound, false, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true, false)]
    [InlineData(HttpStatusCode.TooManyRequests, true, true)]
    [InlineData(HttpStatusCode.InternalServerError, true, false)]
    [InlineData(HttpStatusCode.BadGateway, true, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, true, false)]
    public void Classify_SeparatesFinalFromTransient_AndRefusalsFromWorkThatMayHaveStarted(HttpStatusCode status, bool transient, bool notStarted)
    {
        // Act
        var failure = GeminiErrorClassifier.Classify(status, null, null, "m");

        // Assert: only a refusal is free (and retried within the call when transient).
        Assert.Equal(transient, failure.Transient);
        Assert.Equal(notStarted, failure.NotStarted);
        Assert.Equal(transient && notStarted, GeminiErrorClassifier.IsRefusedBeforeWork(status));
    }
}
