using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class ProblemMapperTests
{
    public static TheoryData<Exception, int, string> Outages => new()
    {
        { new RequestFailedException(503, "Server busy"), 503, ProblemCodes.StorageUnavailable },
        { new RequestFailedException(0, "Connection refused"), 503, ProblemCodes.StorageUnavailable },
        // Azure.Core: a try that ran out of its network timeout, and a call whose retries all did.
        { new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:00:10."), 503, ProblemCodes.StorageUnavailable },
        { new AggregateException("Retry failed after 3 tries.", new TaskCanceledException("timeout"), new RequestFailedException(0, "refused")), 503, ProblemCodes.StorageUnavailable },
        { new TimeoutException("Npgsql timeout"), 503, ProblemCodes.DatabaseUnavailable },
        { new RequestFailedException(403, "AuthorizationFailure"), 500, ProblemCodes.InternalError },
        { new InvalidOperationException("a bug"), 500, ProblemCodes.InternalError },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public void ToResult_TellsOutagesFromBugs(Exception exception, int status, string code)
    {
        // Arrange
        var context = new DefaultHttpContext();
        var logger = new Mock<ILogger<ProblemMapper>>();

        // Act
        var result = Mapper(logger.Object).ToResult(exception, context);

        // Assert
        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(code, problem.ProblemDetails.Extensions["code"]);
        Assert.Equal(status == 503, context.Response.Headers.ContainsKey("Retry-After"));
        logger.Verify(l => l.Log(status == 503 ? LogLevel.Warning : LogLevel.Error, It.IsAny<EventId>(), It.IsAny<It.IsAnyType>(), exception,
            It.IsAny<Func<It.IsAnyType, Exception?, string>>()), Times.Once);
    }

    [Fact]
    public void ToResult_ForAClientThatWentAway_WritesNoProblem()
    {
        var context = new DefaultHttpContext();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        context.RequestAborted = aborted.Token;

        var result = Mapper().ToResult(new OperationCanceledException(aborted.Token), context);

        Assert.Equal(StatusCodes.Status499ClientClosedRequest, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
    }

    [Fact]
    public void ToResult_ForARequestTheHostStopped_Is503ServiceInterrupted_WithRetryAfter()
    {
        // Arrange: the invocation was cancelled by the host, not by the client.
        var context = new DefaultHttpContext();
        using var host = new CancellationTokenSource();
        host.Cancel();

        // Act
        var result = Mapper().ToResult(new TaskCanceledException("A task was canceled."), context, host.Token);

        // Assert
        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal((503, ProblemCodes.ServiceInterrupted), (problem.StatusCode, problem.ProblemDetails.Extensions["code"]));
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
    }

    public static TheoryData<GenerationRefusedException, int, string> Refusals => new()
    {
        { new GenerationNotFoundException(), 404, ProblemCodes.GenerationNotFound },
        { new GenerationNotRetryableException(GenerationStatus.Completed), 409, ProblemCodes.GenerationNotRetryable },
        { new GenerationNotCancellableException(GenerationStatus.Failed), 409, ProblemCodes.GenerationNotCancellable },
        { new IdempotencyKeyReusedException(), 409, ProblemCodes.IdempotencyKeyReused },
        { new LimitExceededException(new LimitExceeded(LimitKind.ActiveGenerations, 5, null)), 429, ProblemCodes.TooManyActiveGenerations },
        { new LimitExceededException(new LimitExceeded(LimitKind.CreationsPerHour, 60, TimeSpan.FromSeconds(90))), 429, ProblemCodes.RateLimited },
        { new GeminiKeyRequiredException(), 400, ProblemCodes.GeminiKeyRequired },
        { new PersonalKeyNotSupportedException("no keys here"), 400, ProblemCodes.PersonalKeyNotSupported },
        { new InvalidPersonalKeyException(), 400, ProblemCodes.InvalidGeminiKey },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void ToResult_GivesEachRefusalOfTheDomain_ItsProblem(GenerationRefusedException refusal, int status, string code)
    {
        // Act
        var problem = Assert.IsType<ProblemHttpResult>(Mapper().ToResult(refusal, new DefaultHttpContext()));

        // Assert
        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(code, problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public void Refusals_ListEveryKindOfRefusalTheDomainHas()
    {
        var listed = Refusals.Select(row => row[0].GetType()).ToHashSet();

        var declared = typeof(GenerationRefusedException).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(GenerationRefusedException)) && !t.IsAbstract);

        Assert.All(declared, type => Assert.Contains(type, listed));
    }

    [Theory]
    [InlineData(LimitKind.ActiveGenerations, null, "10")]
    [InlineData(LimitKind.CreationsPerHour, 89.2, "90")]
    public void ALimit_SaysWhenToTryAgain_ThePollIntervalWhenItFreesAsWorkEnds(LimitKind kind, double? retryAfterSeconds, string expected)
    {
        // Arrange
        var context = new DefaultHttpContext();
        var limit = new LimitExceeded(kind, 3, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        // Act
        Mapper(pollAfterSeconds: 10).ToResult(new LimitExceededException(limit), context);

        // Assert
        Assert.Equal(expected, context.Response.Headers.RetryAfter.ToString());
    }

    private static ProblemMapper Mapper(ILogger<ProblemMapper>? logger = null, int pollAfterSeconds = 10) =>
        new(Options.Create(new ApiOptions { PollAfterSeconds = pollAfterSeconds }), logger ?? Mock.Of<ILogger<ProblemMapper>>());
}
