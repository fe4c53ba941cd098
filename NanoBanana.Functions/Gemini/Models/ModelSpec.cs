using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Gemini.Models;

public enum ModelStatus
{
    Available,

    /// <summary>Google has shut the id down: it answers 404 NOT_FOUND.</summary>
    ShutDown,
}

/// <summary>What one Gemini image model takes and costs: one entry of <c>model-catalog.json</c>.</summary>
public sealed record ModelSpec
{
    /// <summary>Aspect ratios every Gemini image model has taken since 2.5: what an unknown model is assumed to take.</summary>
    public static readonly IReadOnlyList<string> CommonAspectRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

    public required string Id { get; init; }

    public string? DisplayName { get; init; }

    public ModelStatus Status { get; init; }

    /// <summary>Offered when Gemini__AllowedModels is not set.</summary>
    public bool OfferedByDefault { get; init; }

    public DateOnly? ShutDownOn { get; init; }

    /// <summary>For a shut-down model: the id to configure instead.</summary>
    public string? Replacement { get; init; }

    public IReadOnlyList<string> AspectRatios { get; init; } = [];

    /// <summary><c>imageConfig.imageSize</c> values; empty: the model takes none (it is not sent).</summary>
    public IReadOnlyList<string> ImageSizes { get; init; } = [];

    /// <summary>The size the model draws when a request names none (what the price of such a request is).</summary>
    public string? DefaultImageSize { get; init; }

    public int MaxReferenceImages { get; init; }

    public IReadOnlyList<string> InputMimeTypes { get; init; } = [];

    public int AttemptTimeoutSeconds { get; init; }

    /// <summary><c>thinkingConfig.thinkingLevel</c> values a request may choose; empty: none to choose.</summary>
    public IReadOnlyList<string> ThinkingLevels { get; init; } = [];

    /// <summary>The model draws interim images while it thinks (Gemini 3 image models): the worker streams the call to keep them as drafts.</summary>
    public bool ThoughtImages { get; init; }

    /// <summary>Google's Batch API takes the model (the economy lane may offer it).</summary>
    public bool Batch { get; init; }

    /// <summary>Standard-tier USD per output image, by image size.</summary>
    public IReadOnlyDictionary<string, decimal> PriceUsdPerImage { get; init; } = new Dictionary<string, decimal>();

    /// <summary>False for an id the catalog does not list (operator-configured): conservative options.</summary>
    [JsonIgnore]
    public bool InCatalog { get; init; } = true;

    [JsonIgnore]
    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    /// <summary>The price of one image at <paramref name="imageSize"/> (the model's default size when null); null when the catalog has none.</summary>
    public decimal? PricePerImage(string? imageSize) =>
        (imageSize ?? DefaultImageSize) is { } size && PriceUsdPerImage.TryGetValue(size, out var price) ? price : null;

    /// <summary>
    /// An id the catalog does not know: what every Gemini image model has taken (the common ratios,
    /// 3 references of PNG, JPEG or WebP), no imageSize, no price, and the configured attempt timeout.
    /// </summary>
    public static ModelSpec Conservative(string id, int attemptTimeoutSeconds) => new()
    {
        Id = id,
        Status = ModelStatus.Available,
        AspectRatios = CommonAspectRatios,
        MaxReferenceImages = 3,
        InputMimeTypes = ["image/png", "image/jpeg", "image/webp"],
        AttemptTimeoutSeconds = attemptTimeoutSeconds,
        InCatalog = false,
    };
}
