using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Health;

internal static class HealthServiceCollectionExtensions
{
    // Short timeouts: a health probe that hangs is as bad as one that says "down".
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddNanoBananaHealthChecks(this IServiceCollection services)
    {
        services.AddValidatedOptions<HealthOptions>(HealthOptions.Section);
        services.AddSingleton<HealthReports>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", timeout: Timeout)
            .AddCheck<QueueHealthCheck>("queue", timeout: Timeout)
            .AddCheck<BlobHealthCheck>("blob", timeout: Timeout);
        return services;
    }
}
