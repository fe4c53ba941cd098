using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// What a generation costs at Google's standard tier, from the model catalog's price per image for
/// its model and size: an estimate (Google bills tokens; the catalog's prices are its per-image
/// figures). Null where the catalog has no price (an unknown or retired model, or no model recorded).
/// An economy generation (not promoted) is at the Batch API's price, <see cref="Economy.EconomyOptions.BatchPriceShare"/> of it.
/// </summary>
public static class GenerationCost
{
    /// <summary>Completed: its images; pending or processing: the one image it will make; failed or cancelled: not estimated.</summary>
    public static decimal? EstimatedUsd(Generation generation) => generation.Status switch
    {
        GenerationStatus.Completed => Of(generation.Options.Model, generation.Options.Resolution, generation.Images.Count, generation.AtBatchPrice),
        GenerationStatus.Pending or GenerationStatus.Processing => Of(generation.Options.Model, generation.Options.Resolution, 1, generation.AtBatchPrice),
        _ => null,
    };

    public static decimal? Of(string? model, string? resolution, long images, bool atBatchPrice = false) =>
        model is not null && ModelCatalog.Embedded.Find(model)?.PricePerImage(resolution) is { } price
            ? price * images * (atBatchPrice ? Economy.EconomyOptions.BatchPriceShare : 1m)
            : null;
}
