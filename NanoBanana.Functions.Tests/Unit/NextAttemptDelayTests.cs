using NanoBanana.Functions.Processing;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class NextAttemptDelayTests
{
    [Theory]
    [InlineData(15.0, 1, 15)]   // Google asked for 15 s
    [InlineData(300.0, 1, 60)]  // more than the bound: the bound
    [InlineData(null, 1, 5)]    // nothing asked: the backoff, doubling per attempt of the run
    [InlineData(null, 3, 20)]
    [InlineData(null, 6, 60)]
    public void DelayBeforeNextAttempt_IsWhatGoogleAskedBounded_ElseADoublingBackoff(double? requestedSeconds, int runAttempt, int expectedSeconds)
    {
        // Arrange
        var options = new ProcessingOptions { RetryDelaySeconds = 5, MaxRetryDelaySeconds = 60 };

        // Act
        var delay = options.DelayBeforeNextAttempt(requestedSeconds is { } s ? TimeSpan.FromSeconds(s) : null, runAttempt);

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }
}
