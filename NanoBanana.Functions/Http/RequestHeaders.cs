using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Http;

/// <summary>The request headers the API reads besides Authorization.</summary>
public static class RequestHeaders
{
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>A caller's own Gemini key, for create and retry (see Generations/PersonalGeminiKeys).</summary>
    public const string PersonalGeminiKey = "X-Gemini-Api-Key";

    /// <summary>A create's deadline, as Replicate spells it (see <see cref="RequestDeadline"/>); the body's deadlineSeconds says the same.</summary>
    public const string CancelAfter = "Cancel-After";

    public static string? IdempotencyKeyOf(HttpRequest request) =>
        request.Headers.TryGetValue(IdempotencyKey, out var values) ? values.ToString() : null;

    public static string? CancelAfterOf(HttpRequest request) =>
        request.Headers.TryGetValue(CancelAfter, out var values) ? values.ToString() : null;

    public static string? PersonalGeminiKeyOf(HttpRequest request) =>
        request.Headers.TryGetValue(PersonalGeminiKey, out var value) && value.ToString() is { Length: > 0 } key ? key.Trim() : null;
}
