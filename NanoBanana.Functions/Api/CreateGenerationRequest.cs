using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Api;

/// <summary>The body of POST /generations, as sent; <see cref="CreateGenerationValidator"/> decides if it is acceptable.</summary>
public sealed class CreateGenerationRequest
{
    public string? Prompt { get; set; }

    public List<ImageRequest?>? Images { get; set; }

    public string? AspectRatio { get; set; }

    public string? Resolution { get; set; }

    public string? Model { get; set; }

    /// <summary>Where to POST the generation when it ends (signed, Standard Webhooks).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Which endings to deliver: completed, failed, cancelled (default all three).</summary>
    public List<string?>? WebhookEvents { get; set; }

    /// <summary>Anything else the client sent: rejected by name, so a typo is not silently ignored.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }
}

public sealed class ImageRequest
{
    public string? MimeType { get; set; }

    /// <summary>Base64; System.Text.Json decodes it straight from the UTF-8 body.</summary>
    public byte[]? Data { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }
}
