using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Secrets;

public sealed class SecretsOptions : IValidatableObject
{
    public const string Section = "Secrets";

    /// <summary>
    /// AES-256 keys by id (Secrets__EncryptionKeys__&lt;id&gt; = base64 of 32 random bytes; in Azure a
    /// Key Vault reference). Keep old ids while generations sealed with them may still be active.
    /// </summary>
    public Dictionary<string, string?> EncryptionKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key new secrets are sealed with.</summary>
    public string? ActiveKeyId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (id, value) in EncryptionKeys)
        {
            if (!IsAes256Key(value))
            {
                yield return new ValidationResult($"Secrets__EncryptionKeys__{id} must be the base64 of exactly 32 random bytes (openssl rand -base64 32).");
            }
        }

        if (ActiveKeyId is not null && !EncryptionKeys.ContainsKey(ActiveKeyId))
        {
            yield return new ValidationResult($"Secrets__ActiveKeyId '{ActiveKeyId}' names no key: add Secrets__EncryptionKeys__{ActiveKeyId}.");
        }

        if (ActiveKeyId is null && EncryptionKeys.Count > 0)
        {
            yield return new ValidationResult("Set Secrets__ActiveKeyId: which of Secrets__EncryptionKeys seals new secrets.");
        }
    }

    private static bool IsAes256Key(string? base64)
    {
        Span<byte> bytes = stackalloc byte[33];
        return base64 is not null && Convert.TryFromBase64String(base64, bytes, out var written) && written == 32;
    }
}
