using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Secrets;

/// <summary>A secret as stored: which key sealed it, and nonce || ciphertext || tag.</summary>
public sealed record SealedSecret(string KeyId, byte[] Ciphertext)
{
    public override string ToString() => $"SealedSecret {{ KeyId = {KeyId} }}";
}

/// <summary>
/// Seals users' Gemini keys with AES-256-GCM (System.Security.Cryptography). The generation id is
/// the associated data, so a ciphertext copied to another row does not open there.
/// </summary>
public sealed class ApiKeyProtector(IOptions<SecretsOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public bool CanSeal => options.Value.ActiveKeyId is not null;

    public SealedSecret Seal(string secret, Guid generationId)
    {
        var keyId = options.Value.ActiveKeyId ?? throw new InvalidOperationException("No Secrets__ActiveKeyId is configured.");
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key(keyId)!, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), generationId.ToByteArray());
        CryptographicOperations.ZeroMemory(plaintext);
        return new SealedSecret(keyId, sealedBytes);
    }

    /// <summary>The secret, or null when its key is no longer configured or the ciphertext does not verify.</summary>
    public string? TryUnseal(SealedSecret sealedSecret, Guid generationId)
    {
        if (Key(sealedSecret.KeyId) is not { } key || sealedSecret.Ciphertext.Length < NonceSize + TagSize)
        {
            return null;
        }

        var data = sealedSecret.Ciphertext;
        var plaintext = new byte[data.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, plaintext.Length), data.AsSpan(NonceSize + plaintext.Length), plaintext, generationId.ToByteArray());
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private byte[]? Key(string keyId) =>
        options.Value.EncryptionKeys.TryGetValue(keyId, out var base64) && base64 is not null ? Convert.FromBase64String(base64) : null;
}
