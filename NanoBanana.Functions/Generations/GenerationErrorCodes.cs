namespace NanoBanana.Functions.Generations;

/// <summary>
/// Generation error codes that come from our own pipeline rather than from Gemini
/// (those are in <see cref="Gemini.GeminiFailureCodes"/>). Clients switch on these.
/// </summary>
public static class GenerationErrorCodes
{
    /// <summary>Processing was interrupted (lease expired) more times than the attempt limit allows.</summary>
    public const string Stuck = "STUCK";

    /// <summary>The queue gave up on the message (it reached the poison queue).</summary>
    public const string DeliveryFailed = "DELIVERY_FAILED";

    /// <summary>The personal Gemini key sent with the generation cannot be opened (its encryption key was retired).</summary>
    public const string ApiKeyUnavailable = "API_KEY_UNAVAILABLE";

    /// <summary>An input image the generation needs is no longer in storage.</summary>
    public const string InputMissing = "INPUT_MISSING";

    /// <summary>An uploaded reference's bytes are not an image of the type it was declared as (sniffed by the worker).</summary>
    public const string InputInvalid = "INPUT_INVALID";

    /// <summary>The caller's deadline (deadlineSeconds or Cancel-After) passed before the image was ready: the generation is expired or cancelled.</summary>
    public const string DeadlineExceeded = "DEADLINE_EXCEEDED";
}
