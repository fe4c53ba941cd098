using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace NanoBanana.Functions.Api;

/// <summary>
/// RFC 7240 <c>Prefer: wait=N</c>: how long a caller will wait for an answer that is worth having. The
/// wait is capped by <see cref="ApiOptions.MaxWaitSeconds"/>, and what the server applied is said back
/// in <c>Preference-Applied</c> (which is how a client learns that long-polling is on offer).
/// </summary>
public static class LongPoll
{
    public const string PreferHeader = "Prefer";
    public const string AppliedHeader = "Preference-Applied";

    /// <summary>The wait to apply, or null when none was asked for (or long-polling is off).</summary>
    public static TimeSpan? RequestedWait(HttpRequest request, ApiOptions options)
    {
        if (options.MaxWaitSeconds == 0 || WaitSeconds(request.Headers[PreferHeader]) is not { } seconds || seconds <= 0)
        {
            return null;
        }

        return TimeSpan.FromSeconds(Math.Min(seconds, options.MaxWaitSeconds));
    }

    /// <summary>Says the wait was applied, and that the answer depends on Prefer (for caches).</summary>
    public static void Applied(HttpResponse response, TimeSpan wait)
    {
        response.Headers[AppliedHeader] = $"wait={(int)wait.TotalSeconds}";
        response.Headers.Append(HeaderNames.Vary, PreferHeader);
    }

    // Prefer is a list of preferences, each "token[=value]" with optional ";"-parameters (RFC 7240 2).
    private static int? WaitSeconds(Microsoft.Extensions.Primitives.StringValues values)
    {
        foreach (var preference in values.SelectMany(v => (v ?? "").Split(',')))
        {
            var pair = preference.Split(';')[0].Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals("wait", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(pair[1].Trim().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return seconds;
            }
        }

        return null;
    }
}
