using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

/// <summary>GET /api/models: what the deployment offers, from the catalog (every response is checked against openapi.json).</summary>
public sealed class ModelsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Models_ListsTheDefaultFirst_WithEachModelsCatalogOptions()
    {
        // Act
        var response = await fixture.App.Api.ModelsAsync(TestTokens.For(TestTokens.NewUserId()));

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var list = response.Read<ModelsResponse>();
        Assert.Equal("gemini-3.1-flash-image", list.DefaultModel);
        Assert.Equal(["gemini-3.1-flash-image", "gemini-3-pro-image"], list.Models.Select(m => m.Id));
        var flash = list.Models[0];
        Assert.True(flash.IsDefault);
        Assert.Equal(ModelCatalog.Embedded.Find(flash.Id)!.AspectRatios, flash.AspectRatios);
        Assert.Contains("512", flash.ImageSizes);
        Assert.Equal(14, flash.MaxReferenceImages);
        Assert.Contains("image/heif", flash.InputMimeTypes);
        Assert.Equal(0.045m, flash.PriceUsdPerImage["512"]);
        Assert.False(list.Models[1].IsDefault);
        Assert.DoesNotContain("512", list.Models[1].ImageSizes);
        Assert.StartsWith("private", response.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task Models_NeedsASignedInCaller()
    {
        // Act
        var response = await fixture.App.Api.ModelsAsync(token: null);

        // Assert
        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
    }

    [Fact]
    public async Task AnOperatorsModelTheCatalogDoesNotKnow_IsOfferedConservatively_AndWarnedAboutAtStart()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Gemini:AllowedModels:0"] = "gemini-next-image");

        // Act
        var list = (await app.Api.ModelsAsync(TestTokens.For(TestTokens.NewUserId()))).Read<ModelsResponse>();

        // Assert
        var next = Assert.Single(list.Models, m => m.Id == "gemini-next-image");
        Assert.False(next.InCatalog);
        Assert.Empty(next.ImageSizes);
        Assert.Equal(3, next.MaxReferenceImages);
        Assert.DoesNotContain(list.Models, m => m.Id == "gemini-3-pro-image"); // setting any replaces the defaults
        Assert.Contains(app.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("gemini-next-image is not in the model catalog"));
    }
}
