using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// The app's services built from these settings alone (keys with ':' between sections), as Program.cs builds
/// them, on the .NET host (so start-up runs in the host's order: options validation, every lifecycle
/// service's StartingAsync, then each StartAsync). Logs go to <see cref="CapturedLogs"/>, not the console:
/// a test that expects start-up to fail asserts on the failure instead of printing it.
/// </summary>
internal static class AppHost
{
    /// <param name="configure">Changes to the app's services, e.g. removing what would reach beyond this machine.</param>
    public static IHost Build(IEnumerable<KeyValuePair<string, string?>> settings, CapturedLogs? logs = null, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddProvider(logs ?? new CapturedLogs());
        builder.Services.AddNanoBanana(builder.Configuration);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Starts the app, which runs every options validation (throwing what start-up throws), and stops it.</summary>
    public static async Task StartAndStopAsync(IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? configure = null)
    {
        using var host = Build(settings, configure: configure);
        await host.StartAsync();
        await host.StopAsync();
    }
}
