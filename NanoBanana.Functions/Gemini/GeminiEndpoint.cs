using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Gemini;

/// <summary>Builds the requests to the configured backend (generateContent, the model lookup): URL and credentials.</summary>
internal sealed class GeminiEndpoint(IOptions<GeminiOptions> options, IGoogleAccessTokenSource tokens)
{
    /// <param name="streamed">streamGenerateContent as Server-Sent Events (the chunks as they come) instead of generateContent.</param>
    public Task<HttpRequestMessage> CreateRequestAsync(string model, string? apiKeyOverride, CancellationToken ct, bool streamed = false) =>
        CreateAsync(HttpMethod.Post, model, streamed ? ":streamGenerateContent?alt=sse" : ":generateContent", apiKeyOverride, ct);

    /// <summary>GET of the model itself (Developer: models.get; Vertex: the publisher model): 404 once Google retires it.</summary>
    public Task<HttpRequestMessage> CreateModelLookupAsync(string model, CancellationToken ct) =>
        CreateAsync(HttpMethod.Get, model, "", null, ct);

    private async Task<HttpRequestMessage> CreateAsync(HttpMethod method, string model, string action, string? apiKeyOverride, CancellationToken ct)
    {
        var settings = options.Value;
        var escapedModel = Uri.EscapeDataString(model);
        switch (settings.Backend)
        {
            case GeminiBackend.Developer:
            {
                var message = new HttpRequestMessage(method, $"{settings.DeveloperBaseUrl.TrimEnd('/')}/v1beta/models/{escapedModel}{action}");
                message.Headers.Add("x-goog-api-key", apiKeyOverride ?? settings.ApiKey);
                return message;
            }

            case GeminiBackend.Vertex:
            {
                var location = settings.VertexLocation;
                var host = settings.VertexBaseUrl?.TrimEnd('/')
                           ?? (location == "global" ? "https://aiplatform.googleapis.com" : $"https://{location}-aiplatform.googleapis.com");
                var message = new HttpRequestMessage(method,
                    $"{host}/v1/projects/{Uri.EscapeDataString(settings.VertexProjectId!)}/locations/{Uri.EscapeDataString(location)}" +
                    $"/publishers/google/models/{escapedModel}{action}");
                message.Headers.Authorization = new("Bearer", await tokens.GetAccessTokenAsync(ct));
                return message;
            }

            default:
                throw new InvalidOperationException($"Gemini backend {settings.Backend} is not served over REST.");
        }
    }
}
