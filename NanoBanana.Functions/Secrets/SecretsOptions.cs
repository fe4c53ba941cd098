using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Secrets;

public sealed class SecretsOptions : IValidatableObject
{
    public const string Section = "Secrets";

    [Description("AES-256 keys by id (base64 of 32 random bytes: `openssl rand -base64 32`; in Azure a Key Vault reference) that seal users' personal Gemini keys; the active one seals, all of them open. Keep an old id while generations sealed with it may still be active.")]
    public Dictionary<string, string?> EncryptionKeys { get; set; } = new(StringComparer.Ordinal);

    [Description("The id of the key new secrets are sealed with.")]
    [RequiredWhen("when any key is set")]
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
