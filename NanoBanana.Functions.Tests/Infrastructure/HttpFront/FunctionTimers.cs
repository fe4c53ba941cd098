using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// Runs the timer functions of functions.metadata on their NCRONTAB schedules (a %setting% resolved from
/// the app settings, as the host resolves it), in UTC. Unlike the host there is no schedule monitor:
/// no past-due runs after a restart, and no lock that keeps two instances from running the same timer.
/// </summary>
internal static class FunctionTimers
{
    public static Task RunAsync(FunctionApp app, IEnumerable<TimerFunction> timers, Assembly functions, CancellationToken stop) =>
        Task.WhenAll(timers.Select(timer => RunAsync(app, timer, FunctionInvoker.Create(timer.EntryPoint, functions), stop)));

    private static async Task RunAsync(FunctionApp app, TimerFunction timer, FunctionInvoker invoker, CancellationToken stop)
    {
        var expression = timer.Schedule is ['%', .. var setting, '%']
            ? app.Configuration[setting] ?? throw new InvalidOperationException($"{timer.Name}: setting {setting} is missing.")
            : timer.Schedule;
        var schedule = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        var clock = app.Services.GetRequiredService<TimeProvider>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FunctionTimers));
        while (!stop.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            try
            {
                await Task.Delay(schedule.GetNextOccurrence(now) - now, clock, stop);
                await using var scope = app.Services.CreateAsyncScope();
                await invoker.InvokeAsync(scope.ServiceProvider, new FunctionInput(null, stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Timer function {Function} failed", timer.Name);
            }
        }
    }
}
