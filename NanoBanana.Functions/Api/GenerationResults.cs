using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Shapes generation responses the same way for every endpoint: ETag always, and while the
/// generation is still running a Retry-After poll hint, so the phone knows when to ask again.
/// </summary>
public sealed class GenerationResults(IOptions<ApiOptions> options, TimeProvider clock)
{
    private int PollAfterSeconds => options.Value.PollAfterSeconds;

    public Ok<GenerationResponse> Ok(HttpRequest request, Generation generation)
    {
        SetHeaders(request.HttpContext.Response, generation);
        return TypedResults.Ok(ToResponse(generation));
    }

    public Accepted<GenerationResponse> Accepted(HttpRequest request, Generation generation)
    {
        SetHeaders(request.HttpContext.Response, generation);
        return TypedResults.Accepted(ApiRoutes.Generation(generation.Id), ToResponse(generation));
    }

    /// <summary>200 with the generation, or a bodiless 304 when the client's If-None-Match still holds.</summary>
    public Results<Ok<GenerationResponse>, StatusCodeHttpResult> OkOrNotModified(HttpRequest request, Generation generation)
    {
        if (HttpCaching.IsNotModified(request, HttpCaching.ETagOf(generation)))
        {
            SetHeaders(request.HttpContext.Response, generation);
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return Ok(request, generation);
    }

    public GenerationResponse ToResponse(Generation generation) =>
        GenerationResponse.From(generation, clock.GetUtcNow(), PollAfterSeconds);

    private void SetHeaders(HttpResponse response, Generation generation)
    {
        BrowserHeaders.Expose(response);
        response.Headers.ETag = HttpCaching.ETagOf(generation).ToString();
        // Polling responses must not be served from a cache without asking us.
        response.Headers.CacheControl = "private, no-cache";
        if (!generation.Status.IsTerminal())
        {
            response.Headers.RetryAfter = PollAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
