using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Api;

/// <summary>
/// <c>GET /generations?changedSince=token</c>: the catch-up of a phone that wakes. One answer holds every
/// generation of the caller that changed after the token (each once, as it is now; up to
/// <see cref="EventStreamOptions.BatchSize"/>, then <c>more</c>) and the token to ask with next. The token
/// is the caller-wide event cursor, so it is also the <c>Last-Event-ID</c> to resume <c>GET /events</c> at.
/// Its ETag is the new token: with <c>If-None-Match</c> and nothing changed, a bodiless 304.
/// </summary>
public sealed class ChangedSinceResults(EventLogStore store, GenerationResults results, IOptions<EventStreamOptions> options)
{
    public async Task<Results<Ok<GenerationChangesResponse>, StatusCodeHttpResult>> AnswerAsync(
        HttpRequest request, string ownerId, long since, CancellationToken ct)
    {
        var changed = await store.ChangedSinceAsync(ownerId, since, options.Value.BatchSize, ct);
        var response = request.HttpContext.Response;
        var etag = new EntityTagHeaderValue($"\"changes-{EventCursor.Format(changed.Cursor)}\"", isWeak: true);
        response.Headers.ETag = etag.ToString();
        response.Headers.CacheControl = "private, no-cache";
        if (changed.Generations.Count == 0 && HttpCaching.IsNotModified(request, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var items = new List<GenerationResponse>(changed.Generations.Count);
        foreach (var generation in changed.Generations)
        {
            items.Add(await results.ToResponseAsync(generation, ct));
        }

        return TypedResults.Ok(new GenerationChangesResponse(items, EventCursor.Format(changed.Cursor), changed.More));
    }
}

/// <param name="ChangeToken">Ask with this next (<c>?changedSince=</c>), or resume <c>GET /events</c> after it.</param>
/// <param name="More">The answer was cut at its size; ask again at once with <paramref name="ChangeToken"/>.</param>
public sealed record GenerationChangesResponse(IReadOnlyList<GenerationResponse> Items, string ChangeToken, bool More);
