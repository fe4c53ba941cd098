using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.WebUtilities;
using NanoBanana.Functions.Settings;

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

    [Description("Push subscriptions one user may hold (one per browser or device); one more is `409 too_many_push_subscriptions` until one is deleted.")]
    [Range(1, 100)]
    public int MaxSubscriptionsPerUser { get; set; } = 10;

    [Description("The page a notification opens (absolute `https:`, or `http://localhost` / `http://127.0.0.1` for development), e.g. the reference page's address. With it, each push is a Declarative Web Push message (`web_push: 8030`, a title, a body and `<this URL>?generation=<id>` to navigate to) that Safari shows even without the service worker; without it, only `{ id, status }`.")]
    public string? NotificationUrl { get; set; }

    [Description("Push service hosts accepted as subscription endpoints besides the known ones (FCM `fcm.googleapis.com`, Mozilla `updates.push.services.mozilla.com`, Apple `*.push.apple.com`, Windows `*.notify.windows.com`): exact host names, or `*.` and a domain for its subdomains.")]
    public string[] ExtraEndpointHosts { get; set; } = [];

    /// <summary>The push services browsers use (Chrome/Edge/Android FCM, Firefox, Safari, Windows): nobody else's host is pushed to by default.</summary>
    public static readonly IReadOnlyList<string> KnownEndpointHosts =
        ["fcm.googleapis.com", "updates.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com"];

    /// <summary>Whether <paramref name="host"/> is a known push service's or one of <see cref="ExtraEndpointHosts"/>.</summary>
    public bool IsAllowedEndpointHost(string host) =>
        KnownEndpointHosts.Concat(ExtraEndpointHosts).Any(pattern => Matches(pattern, host));

    private static bool Matches(string pattern, string host) =>
        pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) && host.Length > pattern.Length - 1
            : string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);

    public bool Enabled => !string.IsNullOrEmpty(VapidSubject) || !string.IsNullOrEmpty(VapidPublicKey) || !string.IsNullOrEmpty(VapidPrivateKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NotificationUrl is not null && !IsNotificationUrl(NotificationUrl))
        {
            yield return new ValidationResult("Push__NotificationUrl must be an absolute https: URL (or http://localhost or http://127.0.0.1 for development), with no query or fragment.");
        }

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

        foreach (var host in ExtraEndpointHosts.Where(h => Uri.CheckHostName(h.StartsWith("*.", StringComparison.Ordinal) ? h[2..] : h) == UriHostNameType.Unknown))
        {
            yield return new ValidationResult($"Push__ExtraEndpointHosts: '{host}' is not a host name (or '*.' and a domain).");
        }
    }

    // A query or fragment is refused: the generation's id is appended as the query.
    private static bool IsNotificationUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment)
        && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.Host is "localhost" or "127.0.0.1"));

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
