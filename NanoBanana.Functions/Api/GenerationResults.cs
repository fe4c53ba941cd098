using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Maintenance;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Shapes generation responses the same way for every endpoint: ETag always, and while the
/// generation is still running a Retry-After poll hint, so the phone knows when to ask again; while
/// it is pending, its place in the queue.
/// </summary>
public sealed class GenerationResults(
    IOptions<ApiOptions> options, IOptions<MaintenanceOptions> retention, QueueEstimator queue, TimeProvider clock,
    IOptions<Economy.EconomyOptions>? economy = null)
{
    private int PollAfterSeconds => options.Value.PollAfterSeconds;

    public async Task<Ok<GenerationResponse>> OkAsync(HttpRequest request, Generation generation, CancellationToken ct) =>
        TypedResults.Ok(await RespondAsync(request, generation, ct));

    public async Task<Accepted<GenerationResponse>> AcceptedAsync(HttpRequest request, Generation generation, CancellationToken ct) =>
        TypedResults.Accepted(ApiRoutes.Generation(generation.Id), await RespondAsync(request, generation, ct));

    /// <summary>201: a create that waited (Prefer: wait) and saw its generation finish.</summary>
    public async Task<Created<GenerationResponse>> CreatedAsync(HttpRequest request, Generation generation, CancellationToken ct) =>
        TypedResults.Created(ApiRoutes.Generation(generation.Id), await RespondAsync(request, generation, ct));

    /// <summary>200 with the generation, or a bodiless 304 when the client's If-None-Match still holds.</summary>
    public async Task<Results<Ok<GenerationResponse>, StatusCodeHttpResult>> OkOrNotModifiedAsync(
        HttpRequest request, Generation generation, CancellationToken ct)
    {
        var estimate = await queue.EstimateAsync(generation, ct);
        SetHeaders(request.HttpContext.Response, generation, estimate);
        return HttpCaching.IsNotModified(request, HttpCaching.ETagOf(generation.Version, estimate))
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(ToResponse(generation, estimate));
    }

    /// <summary>
    /// A bodiless 304 judged on the version (read without the rest of the row; a pending one's place in
    /// the queue comes from the estimator's shared read), or null when the client's If-None-Match no
    /// longer holds and it must get the generation.
    /// </summary>
    public async ValueTask<StatusCodeHttpResult?> NotModifiedAsync(HttpRequest request, GenerationVersion current, CancellationToken ct)
    {
        var estimate = await queue.EstimateAsync(current, ct);
        if (!HttpCaching.IsNotModified(request, HttpCaching.ETagOf(current.Version, estimate)))
        {
            return null;
        }

        SetHeaders(request.HttpContext.Response, current, estimate);
        return TypedResults.StatusCode(StatusCodes.Status304NotModified);
    }

    /// <summary>Whether the client's If-None-Match already names what it would be shown (a long-poll waits then).</summary>
    public async ValueTask<bool> IsNotModifiedAsync(HttpRequest request, Generation generation, CancellationToken ct) =>
        HttpCaching.IsNotModified(request, HttpCaching.ETagOf(generation.Version, await queue.EstimateAsync(generation, ct)));

    public async Task<GenerationResponse> ToResponseAsync(Generation generation, CancellationToken ct) =>
        ToResponse(generation, await queue.EstimateAsync(generation, ct));

    private async Task<GenerationResponse> RespondAsync(HttpRequest request, Generation generation, CancellationToken ct)
    {
        var estimate = await queue.EstimateAsync(generation, ct);
        SetHeaders(request.HttpContext.Response, generation, estimate);
        return ToResponse(generation, estimate);
    }

    // An economy generation waits minutes to hours and its job is asked about every Economy__PollSeconds: polling it
    // more often finds nothing new (the body's hint; Retry-After, also sent from a poll's version alone, stays the API's).
    private GenerationResponse ToResponse(Generation generation, QueueEstimate? estimate) =>
        GenerationResponse.From(generation, estimate, clock.GetUtcNow(),
            generation.AtBatchPrice ? Math.Max(PollAfterSeconds, economy?.Value.PollSeconds ?? 0) : PollAfterSeconds,
            retention.Value.ExpiresAt(generation.CreatedAt));

    private void SetHeaders(HttpResponse response, Generation generation, QueueEstimate? estimate) =>
        SetHeaders(response, generation.CurrentVersion, estimate);

    private void SetHeaders(HttpResponse response, GenerationVersion current, QueueEstimate? estimate)
    {
        BrowserHeaders.Expose(response);
        response.Headers.ETag = HttpCaching.ETagOf(current.Version, estimate).ToString();
        // Polling responses must not be served from a cache without asking us.
        response.Headers.CacheControl = "private, no-cache";
        if (!current.Status.IsTerminal())
        {
            response.Headers.RetryAfter = PollAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
