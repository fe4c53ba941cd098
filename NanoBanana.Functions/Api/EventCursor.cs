using System.Globalization;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Where a stream resumes: the <c>Last-Event-ID</c> header (what an EventSource sends when it
/// reconnects) or else <c>?after=</c>, both the <c>id:</c> of the last event the client has; none is 0
/// (from the start). Also reads the <c>?changedSince=</c> token, which is the same kind of number.
/// </summary>
public static class EventCursor
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public static long After(HttpRequest request)
    {
        var (field, text) = request.Headers[LastEventIdHeader].ToString() is { Length: > 0 } header
            ? (LastEventIdHeader, header)
            : ("after", request.Query["after"].ToString());
        return text.Length == 0 ? 0 : Parse(text, field, ProblemCodes.InvalidEventId);
    }

    /// <summary>The changedSince token, or null when the request has none.</summary>
    public static long? ChangedSince(HttpRequest request) =>
        request.Query.ContainsKey("changedSince")
            ? Parse(request.Query["changedSince"].ToString(), "changedSince", ProblemCodes.InvalidChangeToken)
            : null;

    public static string Format(long cursor) => cursor.ToString(CultureInfo.InvariantCulture);

    private static long Parse(string text, string field, string code) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Problems.Invalid(field, code, $"{field} must be an id or token this API returned (a whole number, 0 for the start).");
}
