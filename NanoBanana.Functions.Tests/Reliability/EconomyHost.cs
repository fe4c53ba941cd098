using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Economy;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// The economy lane's timer (<see cref="EconomyFunctions.Sweep"/>: the batcher, then the follower) in a process
/// of its own, run again and again as the host's timer would (every 200 ms here, not 30 s), so a test can
/// SIGKILL it at a step of the batch path (<see cref="EconomyKillTests"/>). Started as <c>economy-host settings.json</c>.
/// </summary>
internal static class EconomyHost
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunProcessAsync(string settingsPath)
    {
        var settings = JsonSerializer.Deserialize<Dictionary<string, string?>>(await File.ReadAllTextAsync(settingsPath))!;
        var app = FunctionApp.FromSettings(settings);
        _ = app.Services.GetRequiredService<EconomyBatcher>(); // fail fast on bad settings
        Console.WriteLine("worker ready");
        while (true)
        {
            try
            {
                await app.Function<EconomyFunctions>().Sweep(new TimerInfo(), CancellationToken.None);
            }
            catch (Exception exception)
            {
                // As the host does with a timer that throws: said, and run again at the next tick.
                await Console.Error.WriteLineAsync($"economy sweep failed: {exception.GetType().Name}: {exception.Message}");
            }

            await Task.Delay(Interval);
        }
    }
}
