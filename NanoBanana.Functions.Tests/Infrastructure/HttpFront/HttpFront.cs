using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Tests.Hosting;
using NanoBanana.Functions.Tests.Reliability;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// A test-only stand-in for the Functions host, so a browser (or a load driver) can call the real
/// function classes over real HTTP: Kestrel on 127.0.0.1, routes built from the built functions.metadata
/// (route template, methods) under host.json's routePrefix, the host's CORS, and behind it the queue
/// worker (<see cref="HostQueueListener"/> with host.json's values) and the timer functions.
///
/// Like the host: an IRouter per function with an HTTP-method constraint, first match wins, a path or
/// method no function takes is 404; route parameters bind by name; a DI scope per invocation; the
/// request body capped as host and worker cap it: the smaller of the host's 100 MB and the worker
/// Kestrel's MaxRequestBodySize, which the app sets (its KestrelServerOptions, as the worker's Kestrel reads them).
/// Unlike the host (see docs/FRONTEND.md): function and admin keys are not checked (as under
/// `func start`); no 230 s front-end timeout and no functionTimeout; no separate worker process and no
/// gRPC hop: each invocation runs in-process through <see cref="FunctionApp.ExecuteAsync"/>, the harness's
/// one invocation path (the production exception middleware, then the IResult); no /admin endpoints but
/// POST /admin/functions/{name} for timers (<see cref="AdminFunctionsEndpoint"/>), no proxies or warm-up; no TLS or HTTP/2;
/// timers have no schedule monitor.
/// </summary>
internal sealed class HttpFront : IAsyncDisposable
{
    /// <summary>The host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).</summary>
    private const long HostMaxRequestBodyBytes = 100 * 1024 * 1024;

    private readonly WebApplication _web;
    private readonly CancellationTokenSource _stop;
    private readonly Task _background;

    private HttpFront(WebApplication web, CancellationTokenSource stop, Task background)
    {
        _web = web;
        _stop = stop;
        _background = background;
    }

    public string BaseUrl => _web.Urls.First();

    public static async Task<HttpFront> StartAsync(FunctionApp app, HttpFrontOptions? options = null)
    {
        options ??= new HttpFrontOptions();
        var metadata = FunctionsMetadata.Load(FunctionsOutput.Directory);
        var functions = Assembly.Load(new AssemblyName(Path.GetFileNameWithoutExtension(metadata.ScriptFile)));

        var builder = WebApplication.CreateSlimBuilder(LoopbackServer.Options);
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        var workerLimit = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestBodySize ?? long.MaxValue;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Math.Min(HostMaxRequestBodyBytes, workerLimit));
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        if (options.Cors is not null)
        {
            builder.Services.AddCors();
        }

        var web = builder.Build();
        options.Configure?.Invoke(web);
        if (options.Cors is { } cors)
        {
            web.UseCors(cors.Apply);
        }

        web.UseRouter(Routes(web, app, metadata.Http.Select(f => (f, functions))
            .Concat(options.ExtraFunctions.Select(f => (f, typeof(HttpFront).Assembly))), metadata.RoutePrefix, options.CheckContract,
            routes => AdminFunctionsEndpoint.Map(routes, app, metadata.Timers, functions)));
        await web.StartAsync();

        var stop = new CancellationTokenSource();
        var background = options.RunWorker
            ? Task.WhenAll(
                Task.Run(() => WorkerHost.RunAsync(app, stop.Token)),
                Task.Run(() => FunctionTimers.RunAsync(app, metadata.Timers, functions, stop.Token)))
            : Task.CompletedTask;
        return new HttpFront(web, stop, background);
    }

    private static IRouter Routes(
        IApplicationBuilder web, FunctionApp app, IEnumerable<(HttpFunction Function, Assembly Assembly)> http, string routePrefix, bool checkContract, Action<RouteBuilder> admin)
    {
        var routes = new RouteBuilder(web);
        var constraintResolver = web.ApplicationServices.GetRequiredService<IInlineConstraintResolver>();
        var prefix = routePrefix.Length == 0 ? "" : routePrefix + "/";
        foreach (var (function, functions) in http)
        {
            var constraints = new Dictionary<string, object>();
            if (function.Methods is { } methods)
            {
                constraints["httpMethod"] = new HttpMethodRouteConstraint([.. methods]);
            }

            var handler = new RouteHandler(Invoke(app, FunctionInvoker.Create(function.EntryPoint, functions), function, checkContract));
            routes.Routes.Add(new Route(handler, function.Name, prefix + function.Route, null, constraints, null, constraintResolver));
        }

        admin(routes);
        return routes.Build();
    }

    private static RequestDelegate Invoke(FunctionApp app, FunctionInvoker invoker, HttpFunction function, bool checkContract)
    {
        if (invoker.ResultType is null || !typeof(IResult).IsAssignableFrom(invoker.ResultType))
        {
            throw new NotSupportedException($"{function.Name} returns {invoker.ResultType}; the front runs HTTP functions that return an IResult.");
        }

        return async context =>
        {
            // A scope per invocation, as the worker gives each function invocation.
            await using var scope = app.Services.CreateAsyncScope();
            context.RequestServices = scope.ServiceProvider;
            // An event stream goes to the wire as it is written (a buffer would hold it until it ends); its
            // status and headers are still checked, on the wire's side (FunctionApp.ExecuteAsync).
            if (!checkContract || typeof(NanoBanana.Functions.Api.EventStreamResult).IsAssignableFrom(invoker.ResultType))
            {
                await app.ExecuteAsync(context, async _ =>
                    (IResult)(await invoker.InvokeAsync(scope.ServiceProvider, new FunctionInput(context, context.RequestAborted)))!);
                return;
            }

            // Answered into a buffer first, so the contract check (openapi.json) sees the body before the client does.
            var wire = context.Response.Body;
            using var buffered = new MemoryStream();
            context.Response.Body = buffered;
            try
            {
                await app.ExecuteAsync(context, async _ =>
                    (IResult)(await invoker.InvokeAsync(scope.ServiceProvider, new FunctionInput(context, context.RequestAborted)))!);
            }
            finally
            {
                context.Response.Body = wire;
            }

            buffered.Position = 0;
            await buffered.CopyToAsync(wire, context.RequestAborted);
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _background;
        await _web.StopAsync();
        await _web.DisposeAsync();
        _stop.Dispose();
    }
}

/// <param name="Port">0 picks a free port.</param>
/// <param name="Cors">The host's CORS (local.settings.json Host.CORS); none answers no preflight, like the host.</param>
/// <param name="RunWorker">Also run the queue worker and the timer functions.</param>
/// <param name="Configure">Middleware to put in front of CORS and the routes (e.g. a <see cref="RequestLog"/>).</param>
/// <param name="ExtraFunctions">
/// Functions of the test assembly routed after the app's, through the same invocation path (the
/// benchmark's floor: <see cref="Benchmarks.FloorFunction"/>).
/// </param>
/// <param name="CheckContract">
/// Check every response against openapi.json (<see cref="OpenApiContract"/>). Off for the benchmark,
/// which measures the app, not a buffer and a schema validation the host does not have.
/// </param>
internal sealed record HttpFrontOptions(
    int Port = 0, HostCors? Cors = null, bool RunWorker = true, Action<WebApplication>? Configure = null, IReadOnlyList<HttpFunction>? ExtraFunctions = null,
    bool CheckContract = true)
{
    public IReadOnlyList<HttpFunction> ExtraFunctions { get; init; } = ExtraFunctions ?? [];
}
