using NanoBanana.Functions.Gemini.Models;

namespace NanoBanana.Functions.Api;

/// <summary>GET /models: what this deployment offers, the default first.</summary>
public sealed record ModelsResponse(string DefaultModel, IReadOnlyList<ModelResponse> Models);

/// <summary>One offered model and what a create may ask of it (from the model catalog).</summary>
public sealed record ModelResponse(
    string Id,
    string? DisplayName,
    bool IsDefault,
    bool InCatalog,
    IReadOnlyList<string> AspectRatios,
    IReadOnlyList<string> ImageSizes,
    string? DefaultImageSize,
    int MaxReferenceImages,
    IReadOnlyList<string> InputMimeTypes,
    int MaxImageBytes,
    IReadOnlyList<string> ThinkingLevels,
    IReadOnlyDictionary<string, decimal> PriceUsdPerImage,
    bool Economy,
    IReadOnlyDictionary<string, decimal>? EconomyPriceUsdPerImage)
{
    /// <param name="economy">Whether a create may ask for speed "economy" with this model here (Economy/EconomyRules.Offers).</param>
    public static ModelResponse From(ModelSpec spec, bool isDefault, int maxImageBytes, bool economy = false) => new(
        spec.Id, spec.DisplayName, isDefault, spec.InCatalog, spec.AspectRatios, spec.ImageSizes, spec.DefaultImageSize,
        spec.MaxReferenceImages, spec.InputMimeTypes, maxImageBytes, spec.ThinkingLevels, spec.PriceUsdPerImage,
        economy,
        economy ? spec.PriceUsdPerImage.ToDictionary(p => p.Key, p => p.Value * NanoBanana.Functions.Economy.EconomyOptions.BatchPriceShare) : null);
}
