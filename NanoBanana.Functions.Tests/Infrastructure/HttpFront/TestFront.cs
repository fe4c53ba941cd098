using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Tests.Benchmarks;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// A front over a test app of its own (database, queue, container) whose worker calls the Gemini
/// fake, with the control server beside it. Disposing stops everything and drops the test data.
/// </summary>
internal sealed class TestFront : IAsyncDisposable
{
    private readonly FakeGemini _gemini;
    private readonly GeminiControl _control;
    private readonly TestDatabase _database;
    private readonly FunctionApp _app;
    private readonly WebApplication _controlServer;

    private TestFront(
        FakeGemini gemini, GeminiControl control, TestDatabase database, FunctionApp app, HttpFront front, WebApplication controlServer, string controlUrl)
    {
        _gemini = gemini;
        _control = control;
        _database = database;
        _app = app;
        Front = front;
        _controlServer = controlServer;
        ControlUrl = controlUrl;
    }

    public HttpFront Front { get; }

    public string ControlUrl { get; }

    /// <param name="bench">
    /// For scripts/bench.sh: the floor function on the front and the benchmark's endpoints on the control
    /// server (<see cref="BenchControl"/>), and no request log.
    /// </param>
    public static async Task<TestFront> StartAsync(int port, LocalSettingsFile? settings, Action<ILoggingBuilder>? logging = null, bool bench = false)
    {
        var control = new GeminiControl();
        var gemini = await FakeGemini.StartAsync();
        gemini.Default = bench ? InstantGemini.Answer(TinyPng.Gradient(360, 640, 40, 90, 200)) : control.ReplyAsync;
        var database = await TestDatabase.CreateAsync();
        var app = await FunctionApp.StartWithGeminiAsync(gemini, values =>
        {
            foreach (var (key, value) in settings?.ConfigurationValues ?? [])
            {
                values[key] = value;
            }
        }, database: database, logging: logging);

        var requests = new RequestLog();
        var front = await HttpFront.StartAsync(app, bench
            ? new HttpFrontOptions(port, HostCors.From(settings), ExtraFunctions: [FloorFunction.Metadata], CheckContract: false)
            : new HttpFrontOptions(port, HostCors.From(settings), Configure: web => web.Use(requests.Middleware)));
        var (controlServer, controlUrl) = await TestControlServer.StartAsync(app, control, requests,
            bench ? server => BenchControl.Map(server, app, control) : null);
        return new TestFront(gemini, control, database, app, front, controlServer, controlUrl);
    }

    public async ValueTask DisposeAsync()
    {
        _control.ReleaseAll(); // held Gemini calls must not keep the worker from stopping
        await Front.DisposeAsync();
        await _controlServer.StopAsync();
        await _controlServer.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _gemini.DisposeAsync();
    }
}
