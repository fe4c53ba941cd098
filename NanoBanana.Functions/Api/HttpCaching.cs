using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Conditional polling: a generation's ETag is its row version, which changes with every state
/// change, so a phone polling with If-None-Match gets a bodiless 304 until something happens.
/// Weak, because elapsedSeconds in the body moves on while the generation itself has not changed.
/// While pending it also names the queue position, which moves without the row changing.
/// </summary>
public static class HttpCaching
{
    /// <summary>The version, and while pending the number of generations ahead.</summary>
    public static EntityTagHeaderValue ETagOf(long version, QueueEstimate? estimate) =>
        new(estimate is null ? $"\"{version}\"" : $"\"{version}.q{estimate.Ahead}\"", isWeak: true);

    public static bool HasIfNoneMatch(HttpRequest request) => request.Headers.IfNoneMatch.Count > 0;

    public static bool IsNotModified(HttpRequest request, EntityTagHeaderValue etag)
    {
        if (!EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var candidates))
        {
            return false;
        }

        return candidates.Any(candidate => candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(etag, useStrongComparison: false));
    }
}
