using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Secrets;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// A user's own Gemini key (the original Express + Supabase system's billing separation), sent per
/// request (the API reads it from X-Gemini-Api-Key).
/// Chosen over storing keys per user: the key lives only while its generation is active (sealed in
/// the row, erased by the database when it ends), so there is no long-lived key store to protect.
/// Without one, the server's Gemini__ApiKey is used; with neither, the request is refused up front.
/// </summary>
public sealed class PersonalGeminiKeys(ApiKeyProtector protector, IOptions<GeminiOptions> gemini)
{
    /// <summary>What to store with the generation: the sealed personal key, or null for the server's.</summary>
    public SealedSecret? SealFor(Guid generationId, string? personalKey)
    {
        var settings = gemini.Value;
        if (personalKey is null)
        {
            return settings.Backend == GeminiBackend.Developer && string.IsNullOrEmpty(settings.ApiKey)
                ? throw new GeminiKeyRequiredException()
                : null;
        }

        if (settings.Backend == GeminiBackend.Vertex)
        {
            throw new PersonalKeyNotSupportedException("this service calls Gemini through Vertex AI with its own Google credentials");
        }

        if (!protector.CanSeal)
        {
            throw new PersonalKeyNotSupportedException("this service is not set up to keep personal keys (no Secrets__ActiveKeyId)");
        }

        // Google API keys are ~40 URL-safe characters; anything else is a paste error, said without echoing it.
        if (personalKey.Length is < 20 or > 200 || !personalKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new InvalidPersonalKeyException();
        }

        return protector.Seal(personalKey, generationId);
    }
}
