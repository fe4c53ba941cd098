using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Conditional polling: a generation's ETag is its row version, which changes with every state
/// change, so a phone polling with If-None-Match gets a bodiless 304 until something happens.
/// Weak, because elapsedSeconds in the body moves on while the generation itself has not changed.
/// </summary>
public static class HttpCaching
{
    public static EntityTagHeaderValue ETagOf(long version) => new($"\"{version}\"", isWeak: true);

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
