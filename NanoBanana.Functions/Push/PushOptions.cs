using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NanoBanana.Functions.Hosting;
using Microsoft.AspNetCore.WebUtilities;

namespace NanoBanana.Functions.Push;

/// <summary>
/// Web Push (VAPID, RFC 8292). Off unless the three VAPID settings are given; then all three must be
/// valid, or the app does not start. Make a key pair with <c>npx web-push generate-vapid-keys</c>.
/// </summary>
public sealed class PushOptions : IValidatableObject
{
    public const string Section = "Push";

    [Description("Web Push (VAPID, RFC 8292): who runs this server, a `mailto:` or `https:` contact. All three `Push__Vapid*` or none: without them push is off (`501 push_not_configured`).")]
    [RequiredWhen("for Web Push")]
    public string? VapidSubject { get; set; }

    [Description("The P-256 public key, base64url (65 bytes uncompressed), that pages subscribe with (`npx web-push generate-vapid-keys` makes a pair).")]
    [RequiredWhen("for Web Push")]
    public string? VapidPublicKey { get; set; }

    [Description("Its private key, base64url (32 bytes). In Azure a Key Vault reference.")]
    [RequiredWhen("for Web Push")]
    public string? VapidPrivateKey { get; set; }

    [Description("Tries per message when the push service answers 429 or 5xx or cannot be reached (exponential backoff, `Retry-After` honoured).")]
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Description("The first of those waits.")]
    [Range(1, 60_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 1000;

    [Description("How long the push service keeps a message for a browser that is offline (the TTL header).")]
    [Range(0, 2_419_200)]
    public int TimeToLiveSeconds { get; set; } = 86_400;

    public bool Enabled => !string.IsNullOrEmpty(VapidSubject) || !string.IsNullOrEmpty(VapidPublicKey) || !string.IsNullOrEmpty(VapidPrivateKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (VapidSubject is null || !(VapidSubject.StartsWith("mailto:", StringComparison.Ordinal) || VapidSubject.StartsWith("https://", StringComparison.Ordinal)))
        {
            yield return new ValidationResult("Push__VapidSubject must be a mailto: or https: URI (set all three Push__Vapid* settings, or none to turn push off).");
        }

        if (!IsKey(VapidPublicKey, 65) || VapidPublicKey![0] != 'B')
        {
            yield return new ValidationResult("Push__VapidPublicKey must be a base64url P-256 public key (65 bytes, uncompressed).");
        }

        if (!IsKey(VapidPrivateKey, 32))
        {
            yield return new ValidationResult("Push__VapidPrivateKey must be a base64url P-256 private key (32 bytes).");
        }
    }

    /// <summary>Whether <paramref name="value"/> is base64url of exactly <paramref name="length"/> bytes (a key; nothing longer is decoded).</summary>
    internal static bool IsKey(string? value, int length)
    {
        try
        {
            return value is { Length: < 200 } && WebEncoders.Base64UrlDecode(value).Length == length;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
