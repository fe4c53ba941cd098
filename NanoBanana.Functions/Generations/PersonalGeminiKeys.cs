using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Secrets;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// A user's own Gemini key (the original Express + Supabase system's billing separation), sent per request in X-Gemini-Api-Key.
/// Chosen over storing keys per user: the key lives only while its generation is active (sealed in
/// the row, erased by the database when it ends), so there is no long-lived key store to protect.
/// Without one, the server's Gemini__ApiKey is used; with neither, the request is refused up front.
/// </summary>
public sealed class PersonalGeminiKeys(ApiKeyProtector protector, IOptions<GeminiOptions> gemini)
{
    public const string Header = "X-Gemini-Api-Key";

    /// <summary>What to store with the generation: the sealed personal key, or null for the server's.</summary>
    public SealedSecret? SealFor(Guid generationId, string? personalKey)
    {
        var settings = gemini.Value;
        if (personalKey is null)
        {
            return settings.Backend == GeminiBackend.Developer && string.IsNullOrEmpty(settings.ApiKey)
                ? throw Problems.GeminiKeyRequired()
                : null;
        }

        if (settings.Backend == GeminiBackend.Vertex)
        {
            throw Problems.PersonalKeyNotSupported("this service calls Gemini through Vertex AI with its own Google credentials");
        }

        if (!protector.CanSeal)
        {
            throw Problems.PersonalKeyNotSupported("this service is not set up to keep personal keys (no Secrets__ActiveKeyId)");
        }

        // Google API keys are ~40 URL-safe characters; anything else is a paste error, said without echoing it.
        if (personalKey.Length is < 20 or > 200 || !personalKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw Problems.Invalid(Header, ProblemCodes.InvalidGeminiKey, "X-Gemini-Api-Key does not look like a Gemini API key.");
        }

        return protector.Seal(personalKey, generationId);
    }

    public static string? FromRequest(Microsoft.AspNetCore.Http.HttpRequest request) =>
        request.Headers.TryGetValue(Header, out var value) && value.ToString() is { Length: > 0 } key ? key.Trim() : null;
}
