using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Gemini.Wire;

/// <summary>JSON settings for Gemini's wire format: camelCase, nulls left out of requests.</summary>
internal static class GeminiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
