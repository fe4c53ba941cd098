using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Realtime;

internal static class RealtimeServiceCollectionExtensions
{
    /// <summary>The instance's LISTEN session and what it wakes and feeds: long-polls, event streams, the notification and queue outbox dispatchers, polls from memory.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddValidatedOptions<KnownVersionsOptions>(KnownVersionsOptions.Section);
        services.AddSingleton<KnownVersions>();
        services.AddSingleton<GenerationChanges>();
        services.AddSingleton<OwnerEvents>();
        services.AddSingleton<GenerationEndings>();
        services.AddSingleton<QueuedMessages>();
        services.AddHostedService<PostgresListener>();
        return services;
    }
}
