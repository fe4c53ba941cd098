using System.Globalization;
using System.Net;
using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Reads a non-2xx answer: Google's status and error envelope decide whether it is final (400, 403,
/// 404, a per-day quota) or transient (408, 429, 5xx), how long Google asked us to wait, and whether
/// Google certainly started no work (a refusal: 4xx, 429, 503) or may have (500, 502, 504).
/// </summary>
internal static class GeminiErrorClassifier
{
    public static GeminiFailure Classify(HttpStatusCode status, ErrorResponse? body, TimeSpan? retryAfterHeader, string model)
    {
        var error = body?.Error;
        var details = error?.Details ?? [];
        var googleMessage = error?.Message is { Length: > 0 } m ? $" Gemini said: {GeminiFailure.Quote(m)}" : "";

        switch ((int)status)
        {
            case 400 when details.Any(d => d.Reason == "API_KEY_INVALID"):
                return new(GeminiFailureCodes.InvalidApiKey, "Gemini rejected the API key used for this generation.", Transient: false, NotStarted: true);
            case 400:
                return new(GeminiFailureCodes.InvalidRequest, "Gemini could not process this request." + googleMessage, Transient: false, NotStarted: true);
            case 401 or 403:
                return new(GeminiFailureCodes.PermissionDenied, "The service is not allowed to use this Gemini model.", Transient: false, NotStarted: true);
            case 404:
                return new(GeminiFailureCodes.ModelNotFound,
                    $"The model '{model}' is not available (retired or misspelled); the operator must set Gemini__Model.", Transient: false, NotStarted: true);
            case 429 when IsDailyQuota(details):
                return new(GeminiFailureCodes.QuotaExhausted, "Today's Gemini quota is used up. Try again tomorrow.", Transient: false, NotStarted: true);
            case 429:
                return new(GeminiFailureCodes.RateLimited, "Gemini is busy (rate limited). Try again in a minute.", Transient: true,
                    RetryDelay(details) ?? retryAfterHeader, NotStarted: true);
            case 408 or 504:
                return new(GeminiFailureCodes.Timeout, "Gemini took too long to answer. Try again.", Transient: true, retryAfterHeader);
            case >= 500:
                return new(GeminiFailureCodes.Unavailable, "Gemini is temporarily unavailable. Try again shortly.", Transient: true, retryAfterHeader,
                    NotStarted: IsRefusedBeforeWork(status));
            default:
                return new(GeminiFailureCodes.InvalidRequest, $"Gemini refused the request ({(int)status})." + googleMessage, Transient: false, NotStarted: true);
        }
    }

    /// <summary>
    /// A refusal Google answers before starting any work, which may be sent again within the call:
    /// 429 (rate limited) and 503 (overloaded). 500, 502 and 504 may come after the work began.
    /// </summary>
    public static bool IsRefusedBeforeWork(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    /// <summary>The request never reached Google: no connection could be made (refused, no such host, TLS failed).</summary>
    public static bool NeverReachedGoogle(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    /// <summary>A quota counted per day will not clear by retrying in seconds.</summary>
    public static bool IsDailyQuota(IEnumerable<ErrorDetail> details) =>
        details.SelectMany(d => d.Violations ?? []).Any(v => v.QuotaId?.Contains("PerDay", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>google.rpc.RetryInfo.retryDelay, a protobuf Duration in JSON form ("15s", "0.5s").</summary>
    public static TimeSpan? RetryDelay(IEnumerable<ErrorDetail> details)
    {
        var text = details.Select(d => d.RetryDelay).FirstOrDefault(d => d is not null);
        return text is not null && text.EndsWith('s')
               && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
               && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
