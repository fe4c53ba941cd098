using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class CreateGenerationValidatorTests
{
    private static CreateGenerationValidator Validator(string[]? allowedModels = null) => new(
        Options.Create(new ApiOptions()),
        Options.Create(new GeminiOptions { Model = "gemini-3.1-flash-image", AllowedModels = allowedModels ?? [] }),
        Options.Create(new NanoBanana.Functions.Webhooks.WebhookOptions()));

    [Fact]
    public void Validate_AcceptsAFullRequest_AndKeepsTheSniffedImages()
    {
        // Arrange
        var request = new CreateGenerationRequest
        {
            Prompt = "a cat", AspectRatio = "16:9", Resolution = "2K", Model = "gemini-3.1-flash-image",
            Images = [new ImageRequest { MimeType = "image/png", Data = TestImages.Png }],
        };

        // Act
        var generation = Validator(["gemini-3.1-flash-image"]).Validate(request, "key-1");

        // Assert
        Assert.Equal("a cat", generation.Prompt);
        Assert.Equal("16:9", generation.Options.AspectRatio);
        Assert.Equal("gemini-3.1-flash-image", generation.Options.Model);
        Assert.Equal("image/png", Assert.Single(generation.Images).MimeType);
        Assert.Equal(32, generation.RequestHash.Length);
    }

    [Fact]
    public void RequestHash_IsTheSameForTheSameRequest_AndDiffersWhenAnyPartDiffers()
    {
        // Arrange
        var validator = Validator();
        CreateGenerationRequest Make(string prompt, string? ratio, byte[]? image) => new()
        {
            Prompt = prompt, AspectRatio = ratio,
            Images = image is null ? null : [new ImageRequest { MimeType = "image/png", Data = image }],
        };
        var otherPng = TestImages.Png.Append((byte)0).ToArray();

        // Act
        var baseline = validator.Validate(Make("p", "1:1", TestImages.Png), null).RequestHash;

        // Assert
        Assert.Equal(baseline, validator.Validate(Make("p", "1:1", TestImages.Png), null).RequestHash);
        Assert.NotEqual(baseline, validator.Validate(Make("p2", "1:1", TestImages.Png), null).RequestHash);
        Assert.NotEqual(baseline, validator.Validate(Make("p", "9:16", TestImages.Png), null).RequestHash);
        Assert.NotEqual(baseline, validator.Validate(Make("p", "1:1", otherPng), null).RequestHash);
        Assert.NotEqual(baseline, validator.Validate(Make("p", "1:1", null), null).RequestHash);
    }

    [Fact]
    public void Validate_RejectsAnImageOverTheSizeLimit()
    {
        // Arrange
        var big = new byte[7 * 1024 * 1024 + 1];
        TestImages.Png.CopyTo(big, 0);
        var request = new CreateGenerationRequest { Prompt = "p", Images = [new ImageRequest { MimeType = "image/png", Data = big }] };

        // Act
        var problem = Assert.Throws<ApiProblemException>(() => Validator().Validate(request, null));

        // Assert
        Assert.Equal(ProblemCodes.ImageTooLarge, problem.Code);
        Assert.Equal("images[0].data", Assert.Single(problem.Errors).Field);
    }
}
