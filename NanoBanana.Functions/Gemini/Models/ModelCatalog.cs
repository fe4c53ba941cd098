using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Gemini.Models;

/// <summary>
/// The Gemini image models this code knows, read once from the embedded <c>model-catalog.json</c>:
/// the only place model facts (ratios, sizes, references, input types, timeouts, prices, shutdowns) live.
/// Which of them a deployment offers is <see cref="GeminiOptions.OfferedModels"/>.
/// </summary>
public sealed class ModelCatalog
{
    private static readonly Lazy<ModelCatalog> EmbeddedCatalog = new(() =>
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("model-catalog.json")
            ?? throw new InvalidOperationException("model-catalog.json is not embedded in the app.");
        return Load(stream);
    });

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly Dictionary<string, ModelSpec> _byId;

    private ModelCatalog(IReadOnlyList<ModelSpec> models)
    {
        Models = models;
        _byId = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
    }

    public static ModelCatalog Embedded => EmbeddedCatalog.Value;

    public IReadOnlyList<ModelSpec> Models { get; }

    public IEnumerable<ModelSpec> Available => Models.Where(m => m.Status == ModelStatus.Available);

    public ModelSpec? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Every aspect ratio some available model draws (for options carried over from elsewhere).</summary>
    public IReadOnlyList<string> AnyModelAspectRatios => Available.SelectMany(m => m.AspectRatios).Distinct().ToList();

    /// <summary>Every image size some available model draws.</summary>
    public IReadOnlyList<string> AnyModelImageSizes => Available.SelectMany(m => m.ImageSizes).Distinct().ToList();

    /// <summary>Reads and checks a catalog: a broken one fails the first use, not a generation later.</summary>
    public static ModelCatalog Load(Stream json)
    {
        var file = JsonSerializer.Deserialize<CatalogFile>(json, Json) ?? throw new InvalidDataException("The model catalog is empty.");
        var problems = Check(file.Models).ToList();
        return problems.Count == 0
            ? new ModelCatalog(file.Models)
            : throw new InvalidDataException("The model catalog is inconsistent: " + string.Join(" ", problems));
    }

    private static IEnumerable<string> Check(IReadOnlyList<ModelSpec> models)
    {
        foreach (var duplicate in models.GroupBy(m => m.Id).Where(g => g.Count() > 1))
        {
            yield return $"{duplicate.Key} is listed twice.";
        }

        var available = models.Where(m => m.Status == ModelStatus.Available).Select(m => m.Id).ToHashSet();
        foreach (var model in models)
        {
            if (model.Status == ModelStatus.ShutDown)
            {
                if (model.Replacement is not { } replacement || !available.Contains(replacement))
                {
                    yield return $"{model.Id} is shut down but names no available replacement.";
                }

                continue;
            }

            if (model.AspectRatios.Count == 0 || model.InputMimeTypes.Count == 0 || model.AttemptTimeoutSeconds is < 1 or > 1800)
            {
                yield return $"{model.Id} needs aspect ratios, input MIME types and an attempt timeout of 1 to 1800 s.";
            }

            if (model.DefaultImageSize is { } size && !model.ImageSizes.Contains(size))
            {
                yield return $"{model.Id}'s default image size {size} is not one of its sizes.";
            }

            foreach (var priced in model.PriceUsdPerImage.Keys.Where(k => !model.ImageSizes.Contains(k)))
            {
                yield return $"{model.Id} has a price for size {priced}, which it does not take.";
            }
        }
    }

    private sealed record CatalogFile(IReadOnlyList<ModelSpec> Models)
    {
        [JsonPropertyName("$comment")]
        public string? Comment { get; init; }
    }
}
