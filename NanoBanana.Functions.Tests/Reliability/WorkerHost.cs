using System.Runtime.InteropServices;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Notifications;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Tests.Infrastructure;

using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// One worker instance: the generations queue, its poison queue and the notification queue, each driven by a
/// <see cref="HostQueueListener"/> into the real functions. Runs inside a test, or as a process of
/// its own (<see cref="Program"/>) so a test can SIGKILL it mid-call.
/// </summary>
internal static class WorkerHost
{
    public static async Task RunAsync(FunctionApp app, CancellationToken stop)
    {
        var settings = HostQueueSettings.FromHostJson();
        var queueName = app.QueueName;
        var storage = app.Configuration["AzureWebJobsStorage"]!;
        var main = new HostQueueListener(new QueueClient(storage, queueName), settings,
            (message, ct) => app.Function<GenerationWorkerFunctions>().Process(message, ct));
        var poison = new HostQueueListener(new QueueClient(storage, AppQueues.Poison(queueName)), settings,
            (message, ct) => app.Function<GenerationWorkerFunctions>().FailUndeliverable(message, ct));
        var notifications = new HostQueueListener(new QueueClient(storage, AppQueues.Notifications(queueName)), settings,
            (message, ct) => app.Function<NotificationFunctions>().Notify(message, ct));
        await Task.WhenAll(
            main.RunAsync(new QueueClient(storage, AppQueues.Poison(queueName)), stop),
            poison.RunAsync(new QueueClient(storage, AppQueues.Poison(AppQueues.Poison(queueName))), stop),
            notifications.RunAsync(new QueueClient(storage, AppQueues.Poison(AppQueues.Notifications(queueName))), stop));
    }

    /// <summary>Settings for a worker process, handed over in a file.</summary>
    public static string WriteSettings(FunctionApp app)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nanobanana-worker-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(app.Settings));
        return path;
    }

    public static async Task<int> RunProcessAsync(string settingsPath)
    {
        var settings = JsonSerializer.Deserialize<Dictionary<string, string?>>(await File.ReadAllTextAsync(settingsPath))!;
        var app = FunctionApp.FromSettings(settings);
        _ = app.Services.GetRequiredService<NanoBanana.Functions.Processing.GenerationProcessor>(); // fail fast on bad settings
        using var stop = new CancellationTokenSource();
        // SIGTERM is how the platform stops a host: cancel the invocations, let them hand back, exit.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        Console.WriteLine("worker ready");
        await RunAsync(app, stop.Token);
        return 0; // the app is not disposed: its queue and container belong to the test that started this process
    }
}

/// <summary>
/// The test assembly's entry point, used only to run parts of the test rig as processes of their own;
/// the test runner does not call it. <c>worker-host settings.json</c>: a worker a test can kill;
/// <c>economy-host settings.json</c>: the economy sweep, likewise (<see cref="EconomyHost"/>).
/// <c>front ...</c>: the HTTP front (<see cref="Infrastructure.HttpFront.FrontCommand"/>).
/// <c>bench ...</c>: the benchmark scripts/bench.sh runs (<see cref="Benchmarks.BenchCommand"/>); <c>micro ...</c>:
/// its BenchmarkDotNet micro-benchmarks (<see cref="Benchmarks.Micro.MicroCommand"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args) => args switch
    {
        ["worker-host", var settingsPath] => await WorkerHost.RunProcessAsync(settingsPath),
        ["economy-host", var settingsPath] => await EconomyHost.RunProcessAsync(settingsPath),
        ["front", .. var options] => await Infrastructure.HttpFront.FrontCommand.RunAsync(options),
        ["bench", .. var options] => await Benchmarks.BenchCommand.RunAsync(options),
        ["micro", .. var options] => Benchmarks.Micro.MicroCommand.Run(options),
        ["references", .. var options] => await Benchmarks.ReferenceMemory.RunAsync(options),
        ["memory", .. var options] => await Benchmarks.WorkerMemory.RunAsync(options),
        _ => 2,
    };
}
