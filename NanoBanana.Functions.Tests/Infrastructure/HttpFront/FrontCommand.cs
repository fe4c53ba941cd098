using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// The HTTP front as a process of its own, for the browser suite, the benchmark and run-local.sh when
/// Core Tools is missing:
/// <code>dotnet NanoBanana.Functions.Tests.dll front [--port N] [--settings local.settings.json] [--test]</code>
/// The app settings are the file's Values and CORS its Host section, as Core Tools reads them. With
/// --test the app gets a database, queue and container of its own (dropped at exit) and the Gemini
/// fake, steered through <see cref="TestControlServer"/>; the file's Values then override the test settings.
/// Prints "front ready api=URL [control=URL]" once serving; stops on SIGINT or SIGTERM.
/// </summary>
internal static class FrontCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        string? settingsPath = null;
        var test = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port":
                    port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--settings":
                    settingsPath = args[++i];
                    break;
                case "--test":
                    test = true;
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; usage: front [--port N] [--settings local.settings.json] [--test]");
                    return 2;
            }
        }

        var settings = settingsPath is null ? null : LocalSettingsFile.Read(settingsPath);
        var stopped = new TaskCompletionSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        if (test)
        {
            await using var running = await TestFront.StartAsync(port, settings, Logging);
            Console.WriteLine($"front ready api={running.Front.BaseUrl} control={running.ControlUrl}");
            await stopped.Task;
        }
        else
        {
            if (settings is null)
            {
                Console.Error.WriteLine("front needs --settings (a local.settings.json) or --test");
                return 2;
            }

            await using var app = FunctionApp.FromSettings(settings.ConfigurationValues.ToDictionary(), logging: Logging);
            await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(port, HostCors.From(settings)));
            Console.WriteLine($"front ready api={front.BaseUrl}");
            await stopped.Task;
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }

    // The app's own lines at Information on stderr (stdout carries the ready line); the framework's only when they matter.
    private static void Logging(ILoggingBuilder logging) => logging
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("System", LogLevel.Warning)
        .AddFilter("Azure", LogLevel.Warning)
        .AddFilter("Polly", LogLevel.Warning)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}
