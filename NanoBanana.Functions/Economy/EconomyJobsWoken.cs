using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// "Google says a batch job ended": rung by <see cref="GeminiWebhooks"/> once the job is due now, so the
/// follower runs at once instead of at the economy sweep's next turn. Several in a burst make one pass.
/// </summary>
public sealed class EconomyJobsWoken : CoalescingSignal;

/// <summary>
/// Runs the follower's pass (<see cref="EconomyFollower.RunAsync"/>: every due job, asked of Google) each time
/// <see cref="EconomyJobsWoken"/> rings. Only a hurry-up: the EconomySweep timer still runs every pass on its
/// schedule, and the jobs' leases keep the two from following one job at once. Without webhooks it never rings.
/// </summary>
public sealed class EconomyWakeLoop(EconomyJobsWoken woken, IServiceScopeFactory scopes, ILogger<EconomyWakeLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await woken.WaitAsync(stoppingToken);
                try
                {
                    // A follower per pass: its Gemini HttpClient comes fresh from the factory, as the timer's does.
                    await using var scope = scopes.CreateAsyncScope();
                    var report = await scope.ServiceProvider.GetRequiredService<EconomyFollower>().RunAsync(stoppingToken);
                    logger.LogInformation("Economy follower, woken by a Gemini webhook: {Completed} generations completed, {Failed} failed, {Promoted} promoted",
                        report.Completed, report.Failed, report.Promoted);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Economy follower pass woken by a Gemini webhook failed; the economy sweep follows the job at its next turn");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
