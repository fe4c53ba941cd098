using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Hosting;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>Problem+json for HTTP callers only: queue and timer functions keep their exceptions, so the host retries them.</summary>
public sealed class ExceptionHandlingMiddlewareTests
{
    [Fact]
    public void IsAttached_ToEveryHttpFunction_AndToNoQueueOrTimerFunction()
    {
        // Arrange: each function with the input bindings the host reads from functions.metadata.
        using var services = new ServiceCollection().BuildServiceProvider();
        var functions = FunctionsMetadataTests.Metadata().Select(function => new TestFunctionContext(
            function.GetProperty("name").GetString()!,
            function.GetProperty("bindings").EnumerateArray()
                .Where(binding => binding.GetProperty("direction").GetString() == "In")
                .Select(binding => (binding.GetProperty("name").GetString()!, binding.GetProperty("type").GetString()!)),
            services));

        // Act
        var attachedTo = functions.Where(ExceptionHandlingMiddleware.AppliesTo).Select(f => f.FunctionDefinition.Name).Order();

        // Assert
        Assert.Equal(FunctionsMetadataTests.HttpFunctions.Select(row => (string)row[0]).Order(), attachedTo);
    }

    [Fact]
    public async Task AnHttpFunctionsException_BecomesItsProblem_ForTheIntegrationToWrite()
    {
        // Arrange
        var invocation = TestFunctionContext.ForHttp(new DefaultHttpContext());

        // Act
        await Middleware().Invoke(invocation, _ => throw new GenerationNotFoundException());

        // Assert
        var problem = Assert.IsType<ProblemHttpResult>(invocation.GetInvocationResult().Value);
        Assert.Equal(StatusCodes.Status404NotFound, problem.StatusCode);
        Assert.Equal(ProblemCodes.GenerationNotFound, problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public async Task ARequestTheHostStopped_IsA503WithItsOwnCode_NotAStorageOutage()
    {
        // Arrange: the host cancels the invocation (drain, deploy, function timeout); the client is still there.
        using var stopping = new CancellationTokenSource();
        var invocation = TestFunctionContext.ForHttp(new DefaultHttpContext(), cancellation: stopping.Token);
        await stopping.CancelAsync();

        // Act
        await Middleware().Invoke(invocation, _ => throw new OperationCanceledException(stopping.Token));

        // Assert
        var problem = Assert.IsType<ProblemHttpResult>(invocation.GetInvocationResult().Value);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        Assert.Equal(ProblemCodes.ServiceInterrupted, problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public async Task AnExceptionAfterTheResponseStarted_IsRethrown_ForTheHostToEndTheResponse()
    {
        // Arrange: a streamed image that broke off after its first bytes went out.
        var httpContext = new DefaultHttpContext();
        httpContext.Features.Set<IHttpResponseFeature>(new StartedResponse());
        var invocation = TestFunctionContext.ForHttp(httpContext);
        var broken = new IOException("blob stream broke off");

        // Act
        var thrown = await Record.ExceptionAsync(() => Middleware().Invoke(invocation, _ => throw broken));

        // Assert
        Assert.Same(broken, thrown);
        Assert.Null(invocation.GetInvocationResult().Value);
    }

    private static ExceptionHandlingMiddleware Middleware() =>
        new(new ProblemMapper(Options.Create(new ApiOptions()), NullLogger<ProblemMapper>.Instance));

    private sealed class StartedResponse : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
