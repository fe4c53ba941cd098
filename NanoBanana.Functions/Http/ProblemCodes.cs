namespace NanoBanana.Functions.Http;

/// <summary>
/// The stable, machine-readable <c>code</c> of every problem+json response. Clients switch on these;
/// renaming one is a breaking change.
/// </summary>
public static class ProblemCodes
{
    // 400: the request itself is wrong
    public const string InvalidJson = "invalid_json";
    public const string UnknownField = "unknown_field";
    public const string PromptRequired = "prompt_required";
    public const string PromptTooLong = "prompt_too_long";
    public const string InvalidPrompt = "invalid_prompt";
    public const string TooManyImages = "too_many_images";
    public const string ImageRequired = "image_required";
    public const string InvalidImageData = "invalid_image_data";
    public const string UnsupportedImageType = "unsupported_image_type";
    public const string ImageTypeMismatch = "image_type_mismatch";
    public const string ImageTooLarge = "image_too_large";
    public const string InvalidAspectRatio = "invalid_aspect_ratio";
    public const string InvalidResolution = "invalid_resolution";
    public const string UnsupportedModel = "unsupported_model";
    public const string InvalidIdempotencyKey = "invalid_idempotency_key";
    public const string InvalidStatus = "invalid_status";
    public const string InvalidLimit = "invalid_limit";
    public const string InvalidCursor = "invalid_cursor";
    public const string InvalidEventId = "invalid_event_id";
    public const string InvalidChangeToken = "invalid_change_token";
    public const string InvalidDays = "invalid_days";
    public const string WebhookUrlNotAllowed = "webhook_url_not_allowed";
    public const string InvalidWebhookEvents = "invalid_webhook_events";
    public const string InvalidDeadline = "invalid_deadline";
    public const string InvalidSpeed = "invalid_speed";
    public const string InvalidMaxWait = "invalid_max_wait";
    public const string EconomyUnavailable = "economy_unavailable";
    public const string EconomyImagesUnsupported = "economy_images_unsupported";
    public const string EconomyPersonalKey = "economy_personal_key";
    public const string InvalidPushSubscription = "invalid_push_subscription";
    public const string PushEndpointNotAllowed = "push_endpoint_not_allowed";
    public const string InvalidUpload = "invalid_upload";
    public const string UploadTooLarge = "upload_too_large";
    public const string UploadIncomplete = "upload_incomplete";
    public const string UploadSizeMismatch = "upload_size_mismatch";

    // 401, 404, 409, 413, 415
    public const string AuthenticationRequired = "authentication_required";
    public const string InvalidToken = "invalid_token";
    public const string GenerationNotFound = "generation_not_found";
    public const string ImageNotFound = "image_not_found";
    public const string InvalidImageIndex = "invalid_image_index";
    public const string GenerationNotRetryable = "generation_not_retryable";
    public const string GenerationNotCancellable = "generation_not_cancellable";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string PayloadTooLarge = "payload_too_large";
    public const string FieldsTooLarge = "fields_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PushSubscriptionNotFound = "push_subscription_not_found";
    public const string TooManyPushSubscriptions = "too_many_push_subscriptions";
    public const string UploadNotFound = "upload_not_found";
    public const string WebhookDeliveryNotFound = "webhook_delivery_not_found";
    public const string NoWebhook = "no_webhook";
    public const string InvalidWebhookSignature = "invalid_webhook_signature";
    public const string GeminiWebhooksNotConfigured = "gemini_webhooks_not_configured";

    // 501: optional features this deployment has not turned on
    public const string PushNotConfigured = "push_not_configured";
    public const string WebhooksNotConfigured = "webhooks_not_configured";

    // 400/429: keys and limits
    public const string GeminiKeyRequired = "gemini_key_required";
    public const string PersonalKeyNotSupported = "personal_key_not_supported";
    public const string InvalidGeminiKey = "invalid_gemini_key";
    public const string TooManyActiveGenerations = "too_many_active_generations";
    public const string RateLimited = "rate_limited";
    public const string PaidCallBudgetExhausted = "paid_call_budget_exhausted";
    public const string RedeliveryRateLimited = "redelivery_rate_limited";

    // 5xx: our side
    public const string DatabaseUnavailable = "database_unavailable";
    public const string StorageUnavailable = "storage_unavailable";
    public const string AuthenticationUnavailable = "authentication_unavailable";
    public const string ServiceInterrupted = "service_interrupted";
    public const string InternalError = "internal_error";
}
