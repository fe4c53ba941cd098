using System.Text;
using System.Text.RegularExpressions;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Tests.Hosting;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Gemini;

public sealed partial class ModelCatalogTests
{
    [Fact]
    public void TheEmbeddedCatalog_Loads_AndListsTodaysModelsWithTheirLimits()
    {
        // Act
        var catalog = ModelCatalog.Embedded;

        // Assert
        var flash = catalog.Find("gemini-3.1-flash-image")!;
        Assert.Equal(ModelStatus.Available, flash.Status);
        Assert.Contains("4:1", flash.AspectRatios);
        Assert.Contains("512", flash.ImageSizes);
        Assert.Equal(14, flash.MaxReferenceImages);
        Assert.Contains("image/heic", flash.InputMimeTypes);
        Assert.Equal(0.067m, flash.PricePerImage(null));
        var pro = catalog.Find("gemini-3-pro-image")!;
        Assert.DoesNotContain("512", pro.ImageSizes);
        Assert.Equal(TimeSpan.FromSeconds(300), pro.AttemptTimeout);
        Assert.Equal(ModelStatus.ShutDown, catalog.Find("gemini-2.5-flash-image")!.Status);
    }

    /// <summary>The guard the issue asks for: no default anywhere names an id Google has shut down.</summary>
    [Fact]
    public void NoDefault_NamesAModelTheCatalogMarksShutDown_OrDoesNotKnow()
    {
        // Arrange: the code's default, the sample settings, the Bicep parameter and azd's parameter file.
        var bicep = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot, "infra", "main.bicep"));
        var parameters = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot, "infra", "main.parameters.json"));
        var defaults = new Dictionary<string, string>
        {
            ["GeminiOptions.Model"] = new GeminiOptions().Model,
            ["local.settings.sample.json"] = LocalSettingsSample.Values()["Gemini__Model"],
            ["infra/main.bicep"] = BicepModelDefault().Match(bicep).Groups["id"].Value,
            ["infra/main.parameters.json"] = ParametersModelDefault().Match(parameters).Groups["id"].Value,
        };
        foreach (var offered in new GeminiOptions().OfferedModels)
        {
            defaults["GeminiOptions.OfferedModels: " + offered] = offered;
        }

        // Act
        var wrong = defaults.Where(d => ModelCatalog.Embedded.Find(d.Value) is not { Status: ModelStatus.Available })
            .Select(d => $"{d.Key} = '{d.Value}'").ToList();

        // Assert
        Assert.Empty(wrong);
        Assert.Equal(["gemini-3.1-flash-image", "gemini-3-pro-image"], new GeminiOptions().OfferedModels);
    }

    [Fact]
    public void AnIdTheCatalogDoesNotKnow_GetsConservativeOptions_AndTheConfiguredTimeout()
    {
        // Arrange
        var options = new GeminiOptions { AttemptTimeoutSeconds = 77, AllowedModels = ["gemini-next-image"] };

        // Act
        var spec = options.Spec("gemini-next-image");

        // Assert
        Assert.False(spec.InCatalog);
        Assert.Equal(ModelSpec.CommonAspectRatios, spec.AspectRatios);
        Assert.Empty(spec.ImageSizes);
        Assert.Equal(3, spec.MaxReferenceImages);
        Assert.DoesNotContain("image/heic", spec.InputMimeTypes);
        Assert.Equal(TimeSpan.FromSeconds(77), options.AttemptTimeout("gemini-next-image"));
        Assert.Null(spec.PricePerImage("1K"));
        Assert.Equal(["gemini-3.1-flash-image", "gemini-next-image"], options.OfferedModels);
    }

    [Theory]
    [InlineData("""{"models":[{"id":"old","status":"shutDown"}]}""", "names no available replacement")]
    [InlineData("""{"models":[{"id":"m","aspectRatios":["1:1"],"inputMimeTypes":["image/png"],"attemptTimeoutSeconds":60,"imageSizes":["1K"],"priceUsdPerImage":{"4K":1}}]}""", "price for size 4K")]
    [InlineData("""{"models":[{"id":"m","aspectRatios":["1:1"],"inputMimeTypes":["image/png"],"attemptTimeoutSeconds":0}]}""", "attempt timeout")]
    [InlineData("""{"models":[{"id":"m","aspectRatios":["1:1"],"inputMimeTypes":["image/png"],"attemptTimeoutSeconds":60,"imageSizes":["1K"],"defaultImageSize":"2K"}]}""", "default image size 2K")]
    public void ALoadedCatalog_IsChecked(string json, string named)
    {
        // Act
        var failure = Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        // Assert
        Assert.Contains(named, failure.Message);
    }

    [GeneratedRegex(@"param geminiModel string = '(?<id>[^']+)'")]
    private static partial Regex BicepModelDefault();

    [GeneratedRegex(@"NANOBANANA_GEMINI_MODEL=(?<id>[^}]+)\}")]
    private static partial Regex ParametersModelDefault();
}
