using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class GenerationCostTests
{
    private static Generation Make(GenerationStatus status, string? model, string? resolution, int images) => new(
        Guid.NewGuid(), "u", status, "p", new GenerationOptions(null, resolution, model), [], 1, 1, 0, 1, DateTimeOffset.UnixEpoch,
        null, null, null, null, [.. Enumerable.Range(0, images).Select(i => new StoredImage($"b{i}", "image/png", 1))], null, null, null);

    [Theory]
    [InlineData(GenerationStatus.Completed, "gemini-3.1-flash-image", "512", 2, 0.09)]
    [InlineData(GenerationStatus.Completed, "gemini-3.1-flash-image", null, 1, 0.067)] // its default size, 1K
    [InlineData(GenerationStatus.Pending, "gemini-3-pro-image", "4K", 0, 0.24)] // the one image it will make
    [InlineData(GenerationStatus.Processing, "gemini-3-pro-image", "2K", 0, 0.134)]
    public void TheEstimate_IsTheCatalogsPricePerImage(GenerationStatus status, string model, string? resolution, int images, double expected) =>
        Assert.Equal((decimal)expected, GenerationCost.EstimatedUsd(Make(status, model, resolution, images)));

    [Theory]
    [InlineData(GenerationStatus.Failed, "gemini-3.1-flash-image")]
    [InlineData(GenerationStatus.Cancelled, "gemini-3.1-flash-image")]
    [InlineData(GenerationStatus.Completed, "gemini-next-image")] // not in the catalog
    [InlineData(GenerationStatus.Completed, "gemini-2.5-flash-image")] // retired: no price kept
    [InlineData(GenerationStatus.Completed, null)] // created before the model was stored
    public void ThereIsNoEstimate_WithoutAPriceOrAnImage(GenerationStatus status, string? model) =>
        Assert.Null(GenerationCost.EstimatedUsd(Make(status, model, null, 1)));
}
