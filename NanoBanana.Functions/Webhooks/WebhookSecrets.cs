using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Webhooks;

/// <summary>
/// Each user's webhook signing secret, derived from the server's key (HMAC-SHA256 of the user id), in
/// Standard Webhooks' <c>whsec_</c> form: nothing to store, and no user can sign as another.
/// </summary>
public sealed class WebhookSecrets(IOptions<WebhookOptions> options)
{
    public const string Prefix = "whsec_";

    public byte[] KeyFor(string ownerId) =>
        HMACSHA256.HashData(options.Value.SigningKeyBytes(), Encoding.UTF8.GetBytes("nanobanana-webhook-secret:" + ownerId));

    public string SecretFor(string ownerId) => Prefix + Convert.ToBase64String(KeyFor(ownerId));
}
