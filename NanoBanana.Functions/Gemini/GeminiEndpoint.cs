using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Gemini;

/// <summary>Builds the generateContent request for the configured backend: its URL and its credentials.</summary>
internal sealed class GeminiEndpoint(IOptions<GeminiOptions> options, IGoogleAccessTokenSource tokens)
{
    public async Task<HttpRequestMessage> CreateRequestAsync(string model, string? apiKeyOverride, CancellationToken ct)
    {
        var settings = options.Value;
        var escapedModel = Uri.EscapeDataString(model);
        switch (settings.Backend)
        {
            case GeminiBackend.Developer:
            {
                var message = new HttpRequestMessage(HttpMethod.Post, $"{settings.DeveloperBaseUrl.TrimEnd('/')}/v1beta/models/{escapedModel}:generateContent");
                message.Headers.Add("x-goog-api-key", apiKeyOverride ?? settings.ApiKey);
                return message;
            }

            case GeminiBackend.Vertex:
            {
                var location = settings.VertexLocation;
                var host = settings.VertexBaseUrl?.TrimEnd('/')
                           ?? (location == "global" ? "https://aiplatform.googleapis.com" : $"https://{location}-aiplatform.googleapis.com");
                var message = new HttpRequestMessage(HttpMethod.Post,
                    $"{host}/v1/projects/{Uri.EscapeDataString(settings.VertexProjectId!)}/locations/{Uri.EscapeDataString(location)}" +
                    $"/publishers/google/models/{escapedModel}:generateContent");
                message.Headers.Authorization = new("Bearer", await tokens.GetAccessTokenAsync(ct));
                return message;
            }

            default:
                throw new InvalidOperationException($"Gemini backend {settings.Backend} is not served over REST.");
        }
    }
}
