namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Secret values the tests configure, so they can look for them where they must never appear.</summary>
internal static class TestSecrets
{
    public const string ServerGeminiKey = "AIzaFAKE-server-gemini-key-0123456789";

    public const string UserGeminiKey = "AIzaFAKE-personal-user-key-9876543210";

    /// <summary>32 bytes, base64: the AES-256 key that seals personal Gemini keys in tests.</summary>
    public const string EncryptionKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
}
