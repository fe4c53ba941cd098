using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NanoBanana.Functions.Health;

/// <summary>
/// GET /health (anonymous): up, degraded or down, and no more, since anyone may ask; 503 unless up.
/// GET /maintenance/health (function key): which dependency is down. Both from <see cref="HealthReports"/>.
/// </summary>
public sealed class HealthFunction(HealthReports reports)
{
    [Function("Health")]
    public async Task<JsonHttpResult<HealthResponse>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken ct)
    {
        var report = await reports.LatestAsync(ct);
        var status = Overall(report);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new HealthResponse(status), statusCode: status == "up" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    [Function("MaintenanceHealth")]
    public async Task<JsonHttpResult<HealthDetails>> Details(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "maintenance/health")] HttpRequest request, CancellationToken ct)
    {
        var report = await reports.LatestAsync(ct);
        var status = Overall(report);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(
            new HealthDetails(status, report.Entries.ToDictionary(e => e.Key, e => Up(e.Value) ? "up" : "down"), [.. report.Entries.Where(e => !Up(e.Value)).Select(e => e.Key)]),
            statusCode: status == "up" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    // Without Postgres no call can succeed: down. Without the queue or blobs, reads still work: degraded.
    private static string Overall(HealthReport report) =>
        report.Entries.All(e => Up(e.Value)) ? "up"
        : report.Entries.TryGetValue("postgres", out var postgres) && !Up(postgres) ? "down"
        : "degraded";

    private static bool Up(HealthReportEntry entry) => entry.Status == HealthStatus.Healthy;
}

/// <param name="Status">up, degraded (the queue or blob storage is down) or down (Postgres is).</param>
public sealed record HealthResponse(string Status);

public sealed record HealthDetails(string Status, IReadOnlyDictionary<string, string> Checks, IReadOnlyList<string> Down);
