using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Moq;
using NanoBanana.Functions.Api;

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
        var logger = new Mock<ILogger>();

        // Act
        var result = ProblemMapper.ToResult(exception, context, logger.Object);

        // Assert
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>(result);
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

        var result = ProblemMapper.ToResult(new OperationCanceledException(aborted.Token), context, Mock.Of<ILogger>());

        Assert.Equal(StatusCodes.Status499ClientClosedRequest, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
    }
}
