using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NanoBanana.Functions.Gemini.Models;

namespace NanoBanana.Functions.Health;

/// <summary>
/// GET /health (anonymous): up, degraded or down, and no more, since anyone may ask; 503 when down.
/// GET /maintenance/health (function key): which dependency is down, and which offered model Google
/// answers 404 for. Both from <see cref="HealthReports"/> (one run of the checks shared for a few seconds).
/// </summary>
public sealed class HealthFunction(HealthReports reports, ModelAvailability models)
{
    [Function("Health")]
    public async Task<JsonHttpResult<HealthResponse>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken ct)
    {
        var report = await reports.LatestAsync(ct);
        var status = Overall(report, models.NotFound.Count > 0);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new HealthResponse(status), statusCode: StatusCode(report));
    }

    [Function("MaintenanceHealth")]
    public async Task<JsonHttpResult<HealthDetails>> Details(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "maintenance/health")] HttpRequest request, CancellationToken ct)
    {
        var report = await reports.LatestAsync(ct);
        var retired = models.NotFound
            .Select(m => new RetiredModelResponse(m.Key, m.Value,
                $"Google answers 404 NOT_FOUND for {m.Key}: generations on it fail MODEL_NOT_FOUND. Set Gemini__Model or Gemini__AllowedModels to a current model (GET /api/models lists what is offered)."))
            .OrderBy(m => m.Model, StringComparer.Ordinal)
            .ToList();
        var status = Overall(report, retired.Count > 0);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(
            new HealthDetails(status, report.Entries.ToDictionary(e => e.Key, e => Up(e.Value) ? "up" : "down"), [.. report.Entries.Where(e => !Up(e.Value)).Select(e => e.Key)], retired),
            statusCode: StatusCode(report));
    }

    // Without Postgres no call can succeed: down. Without the queue or blobs reads still work, and a retired
    // model fails only its own generations: degraded.
    private static string Overall(HealthReport report, bool modelRetired) =>
        report.Entries.TryGetValue("postgres", out var postgres) && !Up(postgres) ? "down"
        : report.Entries.All(e => Up(e.Value)) && !modelRetired ? "up"
        : "degraded";

    // 503 when a dependency is down, so a load balancer or Azure's health check moves traffic away. A retired
    // model alone stays 200: another instance or a restart would not help, a setting does.
    private static int StatusCode(HealthReport report) =>
        report.Entries.All(e => Up(e.Value)) ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;

    private static bool Up(HealthReportEntry entry) => entry.Status == HealthStatus.Healthy;
}

/// <param name="Status">up, degraded (the queue or blob storage is down, or Google retired an offered model) or down (Postgres is).</param>
public sealed record HealthResponse(string Status);

public sealed record HealthDetails(string Status, IReadOnlyDictionary<string, string> Checks, IReadOnlyList<string> Down, IReadOnlyList<RetiredModelResponse> RetiredModels);

/// <summary>An offered model Google answered 404 NOT_FOUND for, since when, and what the operator should do.</summary>
public sealed record RetiredModelResponse(string Model, DateTimeOffset Since, string Action);
