using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// The host's <c>POST /admin/functions/{name}</c> for the timer functions: runs one now, so the
/// maintenance examples (docs/OPERATIONS.md) work under the front as under <c>func start</c>.
/// Like <c>func start</c> it checks no master key (the front checks no keys at all); a name that is no
/// timer function is 404, as the host answers a function it does not have. Unlike the host, which
/// answers 202 at once and runs the function in the background, it answers 202 when the run has
/// finished, so a caller (and a test) sees its effect; a run that threw is 500.
/// </summary>
internal static class AdminFunctionsEndpoint
{
    public const string Template = "admin/functions/{name}";

    public static void Map(RouteBuilder routes, FunctionApp app, IEnumerable<TimerFunction> timers, Assembly functions)
    {
        var invokers = timers.ToDictionary(t => t.Name, t => FunctionInvoker.Create(t.EntryPoint, functions), StringComparer.OrdinalIgnoreCase);
        routes.MapPost(Template, async context =>
        {
            if (!invokers.TryGetValue((string)context.GetRouteValue("name")!, out var invoker))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await using var scope = app.Services.CreateAsyncScope();
            await invoker.InvokeAsync(scope.ServiceProvider, new FunctionInput(null, context.RequestAborted));
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });
    }
}
