using Microsoft.Extensions.Diagnostics.HealthChecks;
using NanoBanana.Functions.Storage;
using Npgsql;

namespace NanoBanana.Functions.Health;

/// <summary>Postgres answers a query.</summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(ct);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>The queue service answers (the queue itself may not exist yet: the first send creates it).</summary>
internal sealed class QueueHealthCheck(GenerationQueue queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        await queue.CheckAsync(ct);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>The blob service answers.</summary>
internal sealed class BlobHealthCheck(ImageStore images) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        await images.CheckAsync(ct);
        return HealthCheckResult.Healthy();
    }
}
