using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Settings;
using Npgsql;

namespace NanoBanana.Functions.Data;

internal static class PostgresServiceCollectionExtensions
{
    public static IServiceCollection AddPostgres(this IServiceCollection services)
    {
        services.AddValidatedOptions<PostgresOptions>(PostgresOptions.Section);
        // One data source (and so one pool) per process, built lazily from validated options.
        services.AddSingleton(sp => new PostgresDataSources(sp.GetRequiredService<IOptions<PostgresOptions>>().Value));
        services.AddSingleton(sp => sp.GetRequiredService<PostgresDataSources>().Build(
            sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString,
            connection =>
            {
                connection.ApplicationName ??= "nanobanana-functions";
                // Nothing the app does outlives its transaction (ScopedBatch's settings are transaction-local),
                // so a pooled connection has no session state to reset: no DISCARD ALL before each reuse.
                connection.NoResetOnClose = true;
            }));
        services.AddSingleton<ApiRoleStore>();
        services.AddSingleton<MaintenanceRoleStore>();
        services.AddSingleton<QueueStatsStore>();
        return services;
    }
}
