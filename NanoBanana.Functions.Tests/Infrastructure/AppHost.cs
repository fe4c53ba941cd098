using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>The app's services built from these settings alone (keys with ':' between sections), as Program.cs builds them.</summary>
internal static class AppHost
{
    public static IHost Build(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNanoBanana(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Starts the app, which runs every options validation (throwing what start-up throws), and stops it.</summary>
    public static async Task StartAndStopAsync(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        using var host = Build(settings);
        await host.StartAsync();
        await host.StopAsync();
    }
}
