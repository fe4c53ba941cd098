namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Why a Gemini call produced no image. <see cref="Code"/> is stable and becomes the generation's
/// error code; <see cref="Message"/> is written for the person holding the phone.
/// <see cref="Transient"/> failures may clear on their own and are retried; the others are final.
/// <see cref="RetryAfter"/> is the wait Google asked for. <see cref="NotStarted"/>: Google certainly
/// did no work for the request (refused before starting), so it is not counted as a paid call.
/// </summary>
public sealed record GeminiFailure(string Code, string Message, bool Transient, TimeSpan? RetryAfter = null, bool NotStarted = false)
{
    /// <summary>Whether the user pressing "retry" later could help (shown as error.retryable).</summary>
    public bool UserMayRetry => Transient || Code is GeminiFailureCodes.Recitation or GeminiFailureCodes.ImageRecitation
        or GeminiFailureCodes.NoImage or GeminiFailureCodes.TextOnly or GeminiFailureCodes.ModelOther or GeminiFailureCodes.ImageOther
        or GeminiFailureCodes.EmptyResponse or GeminiFailureCodes.MalformedResponse or GeminiFailureCodes.QuotaExhausted;

    /// <summary>Words from Google (its error message, the model's text) cut to a length a user will read.</summary>
    public static string Quote(string text) => text.Length <= 300 ? text : text[..297] + "...";
}

/// <summary>The generation error codes that come from Gemini. Clients switch on these.</summary>
public static class GeminiFailureCodes
{
    // The model declined or could not produce an image.
    public const string PromptBlocked = "PROMPT_BLOCKED";
    public const string Safety = "SAFETY";
    public const string ImageSafety = "IMAGE_SAFETY";
    public const string ProhibitedContent = "PROHIBITED_CONTENT";
    public const string ImageProhibitedContent = "IMAGE_PROHIBITED_CONTENT";
    public const string Blocklist = "BLOCKLIST";
    public const string Spii = "SPII";
    public const string Recitation = "RECITATION";
    public const string ImageRecitation = "IMAGE_RECITATION";
    public const string NoImage = "NO_IMAGE";
    public const string ModelOther = "MODEL_OTHER";
    public const string ImageOther = "IMAGE_OTHER";
    public const string ModelStopped = "MODEL_STOPPED";
    public const string TextOnly = "TEXT_ONLY";
    public const string EmptyResponse = "EMPTY_RESPONSE";
    public const string MalformedResponse = "MALFORMED_RESPONSE";

    /// <summary>Gemini sent inline data, but none of it is a PNG, JPEG or WebP image (by its bytes): nothing else is stored or served.</summary>
    public const string UnsupportedImage = "UNSUPPORTED_IMAGE";

    // Gemini refused the request.
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string InvalidApiKey = "INVALID_API_KEY";
    public const string PermissionDenied = "PERMISSION_DENIED";
    public const string ModelNotFound = "MODEL_NOT_FOUND";
    public const string QuotaExhausted = "QUOTA_EXHAUSTED";

    // Gemini was unavailable, after retries.
    public const string RateLimited = "RATE_LIMITED";
    public const string Unavailable = "GEMINI_UNAVAILABLE";
    public const string Timeout = "GEMINI_TIMEOUT";
}
