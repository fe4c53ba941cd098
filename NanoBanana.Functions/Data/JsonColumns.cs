using System.Text.Json;
using System.Text.Json.Serialization;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Data;

/// <summary>How the jsonb columns (options, images) are written and read.</summary>
internal static class JsonColumns
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static GenerationOptions ReadOptions(string json) =>
        JsonSerializer.Deserialize<GenerationOptions>(json, Options) ?? new GenerationOptions(null, null, null);

    // Most image columns of most rows are empty (drafts nearly always, results until completed): no parse for them.
    public static IReadOnlyList<StoredImage> ReadImages(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<StoredImage[]>(json, Options) ?? [];
}
