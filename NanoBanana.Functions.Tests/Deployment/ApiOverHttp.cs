using System.Reflection;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// A <see cref="FunctionApp"/> served over real HTTP on 127.0.0.1, the way `func start` serves it: every
/// [HttpTrigger] function at /api/{Route} for its methods (read off the attributes, as the host reads
/// them), and a background worker taking the queue's messages. It lets the repository's shell scripts
/// (smoke.sh, admin.sh) run with curl against the real app. Like `func start`, it checks no function keys.
/// </summary>
internal sealed class ApiOverHttp : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    private ApiOverHttp(WebApplication web, string baseUrl, FunctionApp app)
    {
        _web = web;
        BaseUrl = baseUrl + "/api";
        _worker = Task.Run(() => WorkAsync(app, _stop.Token));
    }

    /// <summary>The API's base URL, ending in /api, as NANOBANANA_API_URL names a deployed one.</summary>
    public string BaseUrl { get; }

    public static async Task<ApiOverHttp> StartAsync(FunctionApp app)
    {
        var (web, baseUrl) = await LoopbackServer.StartAsync(web =>
        {
            foreach (var (method, trigger) in HttpFunctions())
            {
                web.MapMethods("/api/" + trigger.Route, trigger.Methods!.Select(m => m.ToUpperInvariant()), context => InvokeAsync(app, method, context));
            }
        });
        return new ApiOverHttp(web, baseUrl, app);
    }

    private static IEnumerable<(MethodInfo Method, HttpTriggerAttribute Trigger)> HttpFunctions() =>
        from type in typeof(ProblemMapper).Assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
        where method.GetCustomAttribute<FunctionAttribute>() is not null
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
        where trigger is not null
        select (method, trigger);

    // Arguments as the worker binds them: the request, route values by name, the cancellation token.
    private static Task InvokeAsync(FunctionApp app, MethodInfo method, HttpContext context)
    {
        context.RequestServices = app.Services;
        return app.ExecuteAsync(context, async request =>
        {
            var arguments = method.GetParameters().Select(p =>
                p.ParameterType == typeof(HttpRequest) ? request
                : p.ParameterType == typeof(CancellationToken) ? context.RequestAborted
                : (object?)context.GetRouteValue(p.Name!)?.ToString()).ToArray();
            var task = (Task)method.Invoke(ActivatorUtilities.CreateInstance(app.Services, method.DeclaringType!), arguments)!;
            await task;
            return (IResult)task.GetType().GetProperty("Result")!.GetValue(task)!;
        });
    }

    // The queue trigger's part: each message delivered once; one the worker throws on stays for redelivery.
    private static async Task WorkAsync(FunctionApp app, CancellationToken ct)
    {
        var queue = new QueueClient(TestSettings.Storage, app.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        while (!ct.IsCancellationRequested)
        {
            try
            {
                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(5), ct)).Value;
                }
                catch (RequestFailedException exception) when (exception.Status == 404)
                {
                    messages = []; // no generation created yet
                }

                foreach (var message in messages)
                {
                    if (!Guid.TryParse(message.MessageText, out var id) || await app.DeliverAsync(id) is null)
                    {
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    }
                }

                if (messages.Length == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _worker;
        await _web.DisposeAsync();
        _stop.Dispose();
    }
}
