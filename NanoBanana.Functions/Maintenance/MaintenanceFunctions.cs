using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// Operator endpoints, behind the Functions host's keys rather than user tokens: read-only ones at
/// function level, the ones that change data at admin (master key) level.
/// </summary>
public sealed class MaintenanceFunctions(
    StatsService stats, CleanupService cleanup, RepairService repair, DatabaseVerifier verifier, IOptions<MaintenanceOptions> options, TimeProvider clock)
{
    [Function("MaintenanceStats")]
    public async Task<Ok<StatsReport>> Stats(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "maintenance/stats")] HttpRequest request, CancellationToken ct)
    {
        var days = 7;
        if (request.Query["days"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > 3650))
        {
            throw Problems.Invalid("days", ProblemCodes.InvalidDays, "days must be a whole number from 1 to 3650.");
        }

        return TypedResults.Ok(await stats.GetAsync(days, ct));
    }

    [Function("MaintenanceCleanup")]
    public async Task<Ok<MaintenanceRunResponse>> Cleanup(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "maintenance/cleanup")] HttpRequest request, CancellationToken ct)
    {
        // Answer within Azure's HTTP limit: a run that has more to do says so (finished: false); call again.
        var deadline = clock.GetUtcNow() + options.Value.HttpRunBudget;
        var cleaned = await cleanup.RunAsync(deadline, ct);
        var repaired = await repair.RunAsync(sweepOrphanBlobs: true, ct, deadline);
        return TypedResults.Ok(new MaintenanceRunResponse(cleaned, repaired));
    }

    [Function("MaintenanceRepair")]
    public async Task<Ok<MaintenanceRunResponse>> Repair(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "maintenance/repair")] HttpRequest request, CancellationToken ct) =>
        TypedResults.Ok(new MaintenanceRunResponse(null, await repair.RunAsync(sweepOrphanBlobs: true, ct, clock.GetUtcNow() + options.Value.HttpRunBudget)));

    [Function("MaintenanceVerifyDatabase")]
    public async Task<JsonHttpResult<VerificationReport>> VerifyDatabase(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "maintenance/verify-database")] HttpRequest request, CancellationToken ct)
    {
        var report = await verifier.VerifyAsync(ct);
        return TypedResults.Json(report, statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record MaintenanceRunResponse(CleanupReport? Cleanup, RepairReport Repair);
