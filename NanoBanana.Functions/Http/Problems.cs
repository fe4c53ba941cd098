using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Http;

/// <summary>The problems the API raises, each with its status, code and wording in one place.</summary>
public static class Problems
{
    public static ApiProblemException Validation(IReadOnlyList<FieldError> errors) =>
        new(StatusCodes.Status400BadRequest, errors[0].Code, "The request is invalid.", errors[0].Message) { Errors = errors };

    public static ApiProblemException Invalid(string field, string code, string message) =>
        Validation([new FieldError(field, code, message)]);

    public static ApiProblemException GenerationNotFound() =>
        new(StatusCodes.Status404NotFound, ProblemCodes.GenerationNotFound, "Generation not found.",
            "There is no generation with this id for the signed-in user.");

    public static ApiProblemException ImageNotFound(GenerationStatus status) =>
        new(StatusCodes.Status404NotFound, ProblemCodes.ImageNotFound, "Image not found.",
            status == GenerationStatus.Completed
                ? "This generation has no image at that index."
                : $"The generation is {status.ToName()}; images exist once it is completed.");

    public static ApiProblemException NotRetryable(GenerationStatus status) =>
        new(StatusCodes.Status409Conflict, ProblemCodes.GenerationNotRetryable, "The generation cannot be retried.",
            $"Only failed or cancelled generations can be retried; this one is {status.ToName()}.");

    public static ApiProblemException NotCancellable(GenerationStatus status) =>
        new(StatusCodes.Status409Conflict, ProblemCodes.GenerationNotCancellable, "The generation cannot be cancelled.",
            $"Only pending or processing generations can be cancelled; this one is {status.ToName()}.");

    public static ApiProblemException IdempotencyKeyReused() =>
        new(StatusCodes.Status409Conflict, ProblemCodes.IdempotencyKeyReused, "Idempotency-Key already used.",
            "This Idempotency-Key was first used with a different request body; use a new key for a new generation.");

    /// <param name="pollAfterSeconds">The wait to suggest when the limit frees up as generations finish.</param>
    public static ApiProblemException LimitExceeded(LimitExceeded limit, int pollAfterSeconds)
    {
        var retryAfter = limit.RetryAfter is { } wait ? (int)Math.Ceiling(wait.TotalSeconds) : pollAfterSeconds;
        var headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return limit.Kind switch
        {
            LimitKind.ActiveGenerations => new(StatusCodes.Status429TooManyRequests, ProblemCodes.TooManyActiveGenerations, "Too many generations in progress.",
                $"You can have {limit.Limit} generations in progress at once; wait for one to finish.") { Headers = headers },
            LimitKind.PaidCallsPerHour => new(StatusCodes.Status429TooManyRequests, ProblemCodes.PaidCallBudgetExhausted, "Gemini call budget spent for this hour.",
                $"Your generations may make {limit.Limit} Gemini calls per hour; try again in {retryAfter} seconds.") { Headers = headers },
            _ => new(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many generations this hour.",
                $"You can start {limit.Limit} generations per hour (retries count); try again in {retryAfter} seconds.") { Headers = headers },
        };
    }

    public static ApiProblemException GeminiKeyRequired() =>
        new(StatusCodes.Status400BadRequest, ProblemCodes.GeminiKeyRequired, "A Gemini API key is required.",
            $"This service has no Gemini key of its own: send yours in the {RequestHeaders.PersonalGeminiKey} header.");

    public static ApiProblemException PersonalKeyNotSupported(string why) =>
        new(StatusCodes.Status400BadRequest, ProblemCodes.PersonalKeyNotSupported, "Personal Gemini keys are not accepted here.",
            $"Leave out the {RequestHeaders.PersonalGeminiKey} header: {why}.");

    public static ApiProblemException InvalidPersonalKey() =>
        Invalid(RequestHeaders.PersonalGeminiKey, ProblemCodes.InvalidGeminiKey, $"{RequestHeaders.PersonalGeminiKey} does not look like a Gemini API key.");

    public static ApiProblemException PushSubscriptionNotFound() =>
        new(StatusCodes.Status404NotFound, ProblemCodes.PushSubscriptionNotFound, "Push subscription not found.",
            "The signed-in user has no push subscription with this endpoint.");

    public static ApiProblemException TooManyPushSubscriptions(int limit) =>
        new(StatusCodes.Status409Conflict, ProblemCodes.TooManyPushSubscriptions, "Too many push subscriptions.",
            $"A user may hold {limit} push subscriptions; delete one (DELETE /push-subscriptions?endpoint=...) before adding another.");

    public static ApiProblemException PushNotConfigured() =>
        new(StatusCodes.Status501NotImplemented, ProblemCodes.PushNotConfigured, "Web Push is not turned on here.",
            "This deployment has no VAPID key (Push__Vapid* settings); poll or long-poll instead.");

    /// <summary>POST /gemini/webhooks without Economy__WebhookSecret: no such endpoint here (404, so a scan learns nothing more).</summary>
    public static ApiProblemException GeminiWebhooksNotConfigured() =>
        new(StatusCodes.Status404NotFound, ProblemCodes.GeminiWebhooksNotConfigured, "Not found.",
            "Gemini webhooks are not turned on here (Economy__WebhookSecret); batch jobs are polled.");

    /// <param name="why">Which check failed (a header missing, the timestamp, no signature matching), never the secret or the expected signature.</param>
    public static ApiProblemException InvalidWebhookSignature(string why) =>
        new(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidWebhookSignature, "The webhook signature is invalid.", why);

    public static ApiProblemException WebhooksNotConfigured() =>
        new(StatusCodes.Status501NotImplemented, ProblemCodes.WebhooksNotConfigured, "Webhooks are not turned on here.",
            "This deployment has no webhook signing key (Webhooks__SigningKey); poll or long-poll instead.");

    public static ApiProblemException WebhookDeliveryNotFound() =>
        new(StatusCodes.Status404NotFound, ProblemCodes.WebhookDeliveryNotFound, "Webhook delivery not found.",
            "This generation's delivery log has no delivery with that number; GET .../webhook-deliveries lists them, numbered from 1.");

    public static ApiProblemException NoWebhook() =>
        new(StatusCodes.Status409Conflict, ProblemCodes.NoWebhook, "This generation has no webhook.",
            "It was created without a webhookUrl, so there is nothing to redeliver.");

    public static ApiProblemException RedeliveryRateLimited(int perMinute, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return new(StatusCodes.Status429TooManyRequests, ProblemCodes.RedeliveryRateLimited, "Too many redeliveries.",
            $"A generation's webhook can be redelivered {perMinute} times a minute; try again in {seconds} seconds.")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    public static ApiProblemException WebhookUrlNotAllowed(string why) =>
        Invalid("webhookUrl", ProblemCodes.WebhookUrlNotAllowed, $"webhookUrl is not allowed: {why}.");

    public static ApiProblemException FieldsTooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemCodes.FieldsTooLarge, "Request fields too large.",
            $"The request's fields other than image data may take at most {maxBytes} bytes of JSON.");

    /// <param name="names">The first few unknown members, as paths; <paramref name="total"/> counts them all.</param>
    public static ApiProblemException UnknownMembers(IReadOnlyList<string> names, int total)
    {
        var errors = names.Select(name => new FieldError(name, ProblemCodes.UnknownField,
            $"'{name}' is not a field of this request (field names are camelCase).")).ToList();
        var detail = total > names.Count ? $"{errors[0].Message} The body has {total} unknown fields; the first {names.Count} are listed." : errors[0].Message;
        return new(StatusCodes.Status400BadRequest, ProblemCodes.UnknownField, "The request is invalid.", detail) { Errors = errors };
    }

    public static ApiProblemException PayloadTooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "Request body too large.",
            $"The request body may be at most {maxBytes} bytes.");

    public static ApiProblemException UnsupportedMediaType() =>
        new(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported media type.",
            "Send the request body as JSON with Content-Type: application/json.");

    public static ApiProblemException AuthenticationUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.AuthenticationUnavailable, "Service temporarily unavailable.",
            "Sign-in keys could not be fetched from the identity provider; try again shortly.")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "5" },
        };

    public static ApiProblemException Unauthorized(string code, string detail) =>
        new(StatusCodes.Status401Unauthorized, code, "Authentication required.", detail)
        {
            Headers = new Dictionary<string, string>
            {
                ["WWW-Authenticate"] = code == ProblemCodes.InvalidToken ? "Bearer error=\"invalid_token\"" : "Bearer",
            },
        };
}
