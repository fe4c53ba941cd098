using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace NanoBanana.Functions.Health;

/// <summary>GET /health: 200 when Postgres, the queue and blob storage answer; 503 naming what is down. No auth.</summary>
public sealed class HealthFunction(HealthCheckService health, ILogger<HealthFunction> logger)
{
    [Function("Health")]
    public async Task<JsonHttpResult<HealthResponse>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct);
        var down = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToList();
        foreach (var name in down)
        {
            // Logged here, not returned: exception messages can carry host names and settings.
            logger.LogWarning(report.Entries[name].Exception, "Health check {Check} failed", name);
        }

        var body = new HealthResponse(
            down.Count == 0 ? "healthy" : "unhealthy",
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "up" : "down"),
            down);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(body, statusCode: down.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Checks, IReadOnlyList<string> Down);
