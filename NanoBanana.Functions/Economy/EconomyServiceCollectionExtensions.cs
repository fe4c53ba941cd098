using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini.Batch;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Economy;

internal static class EconomyServiceCollectionExtensions
{
    public static IServiceCollection AddEconomy(this IServiceCollection services)
    {
        services.AddValidatedOptions<EconomyOptions>(EconomyOptions.Section);
        services.AddSingleton<EconomyStore>();
        // A results file of many images streams for a while: each call has its own bound (the timer's token), not HttpClient's 100 s.
        services.AddHttpClient<GeminiBatchClient>(client => client.Timeout = TimeSpan.FromMinutes(5));
        services.AddSingleton<PromotedGenerations>();
        services.AddTransient<EconomyBatcher>();
        services.AddTransient<EconomyResults>();
        services.AddTransient<EconomyFollower>();
        // Gemini's batch webhooks (Economy__WebhookSecret): a signed "job ended" wakes the follower; never rung without them.
        services.AddSingleton<GeminiWebhookSignature>();
        services.AddSingleton<GeminiWebhooks>();
        services.AddSingleton<EconomyJobsWoken>();
        services.AddHostedService<EconomyWakeLoop>();
        return services;
    }
}
