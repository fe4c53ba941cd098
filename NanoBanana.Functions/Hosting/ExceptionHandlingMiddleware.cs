using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using NanoBanana.Functions.Api;

namespace NanoBanana.Functions.Hosting;

/// <summary>
/// The one place where an exception from an HTTP function becomes its response: problem+json with a
/// stable code (<see cref="ProblemMapper"/>). Attached to HTTP functions only (<see cref="AppliesTo"/>),
/// so queue and timer functions keep their exceptions and with them the host's retry behaviour.
/// </summary>
public sealed class ExceptionHandlingMiddleware(ProblemMapper problems) : IFunctionsWorkerMiddleware
{
    /// <summary>For UseWhen: an HTTP-triggered function, told the way the ASP.NET Core integration tells them.</summary>
    public static bool AppliesTo(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase));

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception)
        {
            var httpContext = context.GetHttpContext()
                ?? throw new InvalidOperationException($"{context.FunctionDefinition.Name} has no HttpContext: attach this middleware to HTTP functions only.", exception);
            if (httpContext.Response.HasStarted)
            {
                throw;
            }

            // The ASP.NET Core integration executes an IResult left as the invocation result.
            context.GetInvocationResult().Value = problems.ToResult(exception, httpContext, context.CancellationToken);
        }
    }
}
