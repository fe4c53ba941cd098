using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Gemini.Models;

namespace NanoBanana.Functions.Health;

/// <summary>
/// GET /health: 200 when Postgres, the queue and blob storage answer; 503 naming what is down. No auth.
/// "degraded" (still 200: restarting would not help) when Google answers 404 for an offered model.
/// </summary>
public sealed class HealthFunction(HealthCheckService health, ModelAvailability models, ILogger<HealthFunction> logger)
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

        var retired = models.NotFound
            .Select(m => new RetiredModelResponse(m.Key, m.Value,
                $"Google answers 404 NOT_FOUND for {m.Key}: generations on it fail MODEL_NOT_FOUND. Set Gemini__Model or Gemini__AllowedModels to a current model (GET /api/models lists what is offered)."))
            .OrderBy(m => m.Model, StringComparer.Ordinal)
            .ToList();
        var body = new HealthResponse(
            down.Count > 0 ? "unhealthy" : retired.Count > 0 ? "degraded" : "healthy",
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "up" : "down"),
            down,
            retired);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(body, statusCode: down.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Checks, IReadOnlyList<string> Down, IReadOnlyList<RetiredModelResponse> RetiredModels);

/// <summary>An offered model Google answered 404 NOT_FOUND for, since when, and what the operator should do.</summary>
public sealed record RetiredModelResponse(string Model, DateTimeOffset Since, string Action);
