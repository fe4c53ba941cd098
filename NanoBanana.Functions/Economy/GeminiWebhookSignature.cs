using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// Checks a static Gemini webhook's delivery as Standard Webhooks defines it (Google follows that spec:
/// ai.google.dev/gemini-api/docs/webhooks, "Handle webhook requests"): headers webhook-id, webhook-timestamp
/// (Unix seconds) and webhook-signature, one or more space-separated <c>v1,&lt;base64&gt;</c> entries (several
/// while a secret is rotated), each an HMAC-SHA256 of <c>{id}.{timestamp}.{raw body}</c> under the secret
/// Google returned at the webhook's creation. The HMAC is the same library call our own webhooks sign with
/// (<see cref="Webhooks.WebhookSender"/>); the library's Verify is not used because it reads the system clock,
/// and the timestamp window here is on the app's <see cref="TimeProvider"/>.
/// </summary>
public sealed class GeminiWebhookSignature(IOptions<EconomyOptions> options, TimeProvider clock)
{
    /// <summary>A delivery older or newer than this is refused (a replay, or a clock far off): the spec's and Google's 5 minutes.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lazy<StandardWebhook> _signer = new(() => new StandardWebhook(options.Value.WebhookKey()));

    /// <returns>Null when the delivery is Google's; else which check failed, to say in the 401 (never the secret or the expected value).</returns>
    public string? Check(string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return "The webhook-id, webhook-timestamp and webhook-signature headers are all required.";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return "webhook-timestamp must be Unix seconds.";
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((clock.GetUtcNow() - sent).Duration() > Tolerance)
        {
            return $"webhook-timestamp is more than {Tolerance.TotalMinutes} minutes from now.";
        }

        string payload;
        try
        {
            // The signature covers the bytes as sent: a body that is not UTF-8 could not be the JSON Google signed.
            payload = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return "The body is not UTF-8.";
        }

        var expectedBytes = Encoding.ASCII.GetBytes(_signer.Value.Sign(id, sent, payload));
        var matched = false;
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Constant time, and every entry compared: how many entries precede the match tells nothing.
            matched |= CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expectedBytes);
        }

        return matched ? null : "No signature in webhook-signature matches the body.";
    }
}
