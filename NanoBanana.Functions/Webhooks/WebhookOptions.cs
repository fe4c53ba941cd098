using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Webhooks;

/// <summary>
/// Signed webhooks (Standard Webhooks). Off unless <see cref="SigningKey"/> is set: each user's
/// signing secret is derived from it, so rotating it rotates every user's secret.
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    [Description("Base64 of 32+ random bytes (`openssl rand -base64 32`; in Azure a Key Vault reference); each user's `whsec_` secret is derived from it, so rotating it rotates them all. Without it, `webhookUrl` is refused (`501 webhooks_not_configured`).")]
    [RequiredWhen("for webhooks")]
    public string? SigningKey { get; set; }

    [Description("Delivery attempts per event, the first included.")]
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 8;

    [Description("The wait before the second attempt; each later wait is 4 times the one before, up to `Webhooks__MaxRetryDelaySeconds` (with the defaults the 8th attempt comes about 7.6 h after the first).")]
    [Range(1, 3600)]
    public int FirstRetrySeconds { get; set; } = 5;

    [Description("The longest wait between attempts: at most 7 days, the longest a queue message can stay invisible.")]
    [Range(1, 604_800)]
    public int MaxRetryDelaySeconds { get; set; } = 21_600;

    [Description("A receiver that has not answered by then counts as failed.")]
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    [Description("Manual redeliveries (`POST /api/generations/{id}/webhook-deliveries/{n}/redeliver`) per generation per minute; more answer `429 redelivery_rate_limited` with Retry-After, so a loop of clicks or a script cannot turn the app into a cannon pointed at a receiver.")]
    [Range(1, 60)]
    public int RedeliveriesPerMinute { get; set; } = 3;

    public bool Enabled => !string.IsNullOrEmpty(SigningKey);

    /// <summary>The wait after attempt <paramref name="attempt"/> failed, or null when it was the last.</summary>
    public TimeSpan? RetryDelayAfter(int attempt) =>
        attempt >= MaxAttempts ? null : TimeSpan.FromSeconds(Math.Min(MaxRetryDelaySeconds, FirstRetrySeconds * Math.Pow(4, attempt - 1)));

    public byte[] SigningKeyBytes() => Convert.FromBase64String(SigningKey!);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        byte[]? key = null;
        try
        {
            key = SigningKeyBytes();
        }
        catch (FormatException)
        {
        }

        if (key is not { Length: >= 32 })
        {
            yield return new ValidationResult("Webhooks__SigningKey must be base64 of at least 32 random bytes (openssl rand -base64 32).");
        }
    }
}
