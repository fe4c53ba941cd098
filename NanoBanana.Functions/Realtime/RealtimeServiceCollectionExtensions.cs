using Microsoft.Extensions.DependencyInjection;

namespace NanoBanana.Functions.Realtime;

internal static class RealtimeServiceCollectionExtensions
{
    /// <summary>The instance's LISTEN session and what it wakes: long-polls, event streams and the notification dispatcher.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<GenerationChanges>();
        services.AddSingleton<OwnerEvents>();
        services.AddSingleton<GenerationEndings>();
        services.AddHostedService<PostgresListener>();
        return services;
    }
}
