using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>The catalog drives create validation: a table per model and option, each refusal listing what is allowed.</summary>
public sealed class ModelChoiceValidationTests
{
    private const string Flash = "gemini-3.1-flash-image";
    private const string Pro = "gemini-3-pro-image";
    private const string Unknown = "gemini-next-image";

    private static CreateGenerationValidator Validator() => new(
        Options.Create(new ApiOptions()),
        Options.Create(new GeminiOptions { Model = Flash, AllowedModels = [Pro, Unknown] }),
        Options.Create(new NanoBanana.Functions.Webhooks.WebhookOptions()));

    public static TheoryData<string, string> EveryRatioOfEveryModel()
    {
        var rows = new TheoryData<string, string>();
        foreach (var model in new[] { Flash, Pro })
        {
            foreach (var ratio in ModelCatalog.Embedded.Find(model)!.AspectRatios)
            {
                rows.Add(model, ratio);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(EveryRatioOfEveryModel))]
    public void EachRatioTheCatalogLists_IsAccepted_ForItsModel(string model, string ratio)
    {
        // Act
        var generation = Validator().Validate(new CreateGenerationRequest { Prompt = "p", Model = model, AspectRatio = ratio }, null);

        // Assert
        Assert.Equal(ratio, generation.Options.AspectRatio);
    }

    [Theory]
    [InlineData(Flash, "aspectRatio", "4:1", true)]
    [InlineData(Pro, "aspectRatio", "4:1", false)]
    [InlineData(Pro, "aspectRatio", "1:8", false)]
    [InlineData(Unknown, "aspectRatio", "8:1", false)]
    [InlineData(Unknown, "aspectRatio", "21:9", true)]
    [InlineData(Flash, "aspectRatio", "7:3", false)]
    [InlineData(Flash, "resolution", "512", true)]
    [InlineData(Flash, "resolution", "4K", true)]
    [InlineData(Pro, "resolution", "512", false)]
    [InlineData(Pro, "resolution", "2K", true)]
    [InlineData(Flash, "resolution", "4k", false)] // Google's sizes are upper-case K
    [InlineData(Unknown, "resolution", "1K", false)]
    public void AnOption_IsAcceptedOrRefused_AsTheModelsCatalogEntrySays(string model, string field, string value, bool accepted)
    {
        // Arrange
        var request = new CreateGenerationRequest
        {
            Prompt = "p", Model = model,
            AspectRatio = field == "aspectRatio" ? value : null,
            Resolution = field == "resolution" ? value : null,
        };

        // Act
        var problem = Record.Exception(() => Validator().Validate(request, null)) as ApiProblemException;

        // Assert
        if (accepted)
        {
            Assert.Null(problem);
            return;
        }

        var error = Assert.Single(problem!.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(field == "aspectRatio" ? ProblemCodes.InvalidAspectRatio : ProblemCodes.InvalidResolution, error.Code);
        var spec = new GeminiOptions().Spec(model);
        Assert.Equal(field == "aspectRatio" ? spec.AspectRatios : spec.ImageSizes, error.Allowed);
        Assert.Contains(model, error.Message);
    }

    [Theory]
    [InlineData(Flash, 14, true)]
    [InlineData(Flash, 15, false)]
    [InlineData(Pro, 14, true)]
    [InlineData(Unknown, 3, true)]
    [InlineData(Unknown, 4, false)]
    public void TheReferenceCount_IsTheModels(string model, int count, bool accepted)
    {
        // Arrange
        var request = new CreateGenerationRequest
        {
            Prompt = "p", Model = model,
            Images = [.. Enumerable.Range(0, count).Select(_ => new ImageRequest { MimeType = "image/png", Data = TestImages.Png })],
        };

        // Act
        var problem = Record.Exception(() => Validator().Validate(request, null)) as ApiProblemException;

        // Assert
        Assert.Equal(accepted, problem is null);
        Assert.True(accepted || problem!.Code == ProblemCodes.TooManyImages);
    }

    [Theory]
    [InlineData(Flash, "image/heic", true)]
    [InlineData(Flash, "image/heif", true)]
    [InlineData(Pro, "image/heic", true)]
    [InlineData(Unknown, "image/heic", false)]
    public void HeicAndHeif_AreTakenWhereTheModelTakesThem_AndKeepTheirSniffedType(string model, string declared, bool accepted)
    {
        // Arrange: an iPhone HEIC, declared either way.
        var request = new CreateGenerationRequest
        {
            Prompt = "p", Model = model, Images = [new ImageRequest { MimeType = declared, Data = TestImages.Heic }],
        };

        // Act
        var problem = Record.Exception(() => Validator().Validate(request, null)) as ApiProblemException;

        // Assert
        if (!accepted)
        {
            var error = Assert.Single(problem!.Errors);
            Assert.Equal(ProblemCodes.UnsupportedImageType, error.Code);
            Assert.Equal(["image/png", "image/jpeg", "image/webp"], error.Allowed);
            return;
        }

        Assert.Null(problem);
        Assert.Equal("image/heic", Assert.Single(Validator().Validate(request, null).Images).MimeType);
    }

    [Fact]
    public void AModelNotOffered_IsRefused_ListingTheOfferedOnes()
    {
        // Act
        var problem = Assert.Throws<ApiProblemException>(() =>
            Validator().Validate(new CreateGenerationRequest { Prompt = "p", Model = "gemini-2.5-flash-image", AspectRatio = "4:1" }, null));

        // Assert: only the model is named; its options are not judged against another model.
        var error = Assert.Single(problem.Errors);
        Assert.Equal(ProblemCodes.UnsupportedModel, error.Code);
        Assert.Equal([Flash, Pro, Unknown], error.Allowed);
    }

    [Fact]
    public void NoModelNamed_IsJudgedAsTheDefaultModel()
    {
        // Act
        var problem = Assert.Throws<ApiProblemException>(() =>
            Validator().Validate(new CreateGenerationRequest { Prompt = "p", AspectRatio = "9:21" }, null));

        // Assert
        Assert.Equal(ModelCatalog.Embedded.Find(Flash)!.AspectRatios, Assert.Single(problem.Errors).Allowed);
    }
}
