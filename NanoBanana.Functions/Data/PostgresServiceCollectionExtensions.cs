using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Hosting;
using Npgsql;

namespace NanoBanana.Functions.Data;

internal static class PostgresServiceCollectionExtensions
{
    public static IServiceCollection AddPostgres(this IServiceCollection services)
    {
        services.AddValidatedOptions<PostgresOptions>(PostgresOptions.Section);
        // One data source (and so one pool) per process, built lazily from validated options.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "nanobanana-functions";
            return builder.Build();
        });
        services.AddSingleton<ApiRoleStore>();
        services.AddSingleton<MaintenanceRoleStore>();
        services.AddSingleton<QueueStatsStore>();
        return services;
    }
}
