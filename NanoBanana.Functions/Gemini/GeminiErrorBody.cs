using System.Text.Json;
using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Gemini;

/// <summary>Reads Google's error envelope from a failed response; anything else (an HTML page) is null.</summary>
internal static class GeminiErrorBody
{
    // Error bodies are small; a proxy's error page can be large, and we only need the envelope.
    private const long MaxBytes = 64 * 1024;

    public static async Task<ErrorResponse?> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            // Buffered once; the retry policy and the client both read it, so read bytes, not the stream.
            await response.Content.LoadIntoBufferAsync(MaxBytes, ct);
            return JsonSerializer.Deserialize<ErrorResponse>(await response.Content.ReadAsByteArrayAsync(ct), GeminiJson.Options);
        }
        catch (Exception exception) when (exception is JsonException or HttpRequestException or NotSupportedException or IOException)
        {
            return null;
        }
    }

    public static TimeSpan? RetryAfterHeader(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
}
