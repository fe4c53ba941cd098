namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Secret values the tests configure, so they can look for them where they must never appear.</summary>
internal static class TestSecrets
{
    public const string ServerGeminiKey = "AIzaFAKE-server-gemini-key-0123456789";
}
