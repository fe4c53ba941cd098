using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using NanoBanana.Functions.Api;

namespace NanoBanana.Functions.Hosting;

/// <summary>
/// The one place where an exception becomes an HTTP response: problem+json with a stable code.
/// Non-HTTP functions rethrow, so the queue and timer triggers keep the host's retry behaviour.
/// </summary>
public sealed class ExceptionHandlingMiddleware(ProblemMapper problems) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception)
        {
            var httpContext = context.GetHttpContext();
            if (httpContext is null || httpContext.Response.HasStarted)
            {
                throw;
            }

            var result = problems.ToResult(exception, httpContext);
            // The ASP.NET Core integration executes an IResult left as the invocation result.
            context.GetInvocationResult().Value = result;
        }
    }
}
