using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Maintenance;

internal static class MaintenanceServiceCollectionExtensions
{
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        services.AddValidatedOptions<MaintenanceOptions>(MaintenanceOptions.Section);
        services.AddSingleton<CleanupService>();
        services.AddSingleton<RepairService>();
        services.AddSingleton<AbandonedClaimSweep>();
        services.AddHostedService<AbandonedClaimSweeper>();
        services.AddSingleton<StatsService>();
        services.AddSingleton<DatabaseVerifier>();
        return services;
    }
}
