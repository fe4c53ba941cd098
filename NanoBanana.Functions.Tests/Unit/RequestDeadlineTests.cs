using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>A create's deadline: deadlineSeconds, or Cancel-After as Replicate spells it; one or the other, within bounds.</summary>
public sealed class RequestDeadlineTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("40s", 40)]
    [InlineData("6m", 360)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d", 86_400)]
    [InlineData(" 2m ", 120)]
    public void CancelAfter_IsReadAsReplicateSpellsIt(string header, int seconds)
    {
        // Arrange
        var errors = new List<FieldError>();

        // Act
        var deadline = RequestDeadline.Parse(null, header, maxSeconds: 86_400, errors);

        // Assert
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), deadline);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1.5m")]
    [InlineData("-30")]
    [InlineData("30x")]
    [InlineData("m")]
    [InlineData("")]
    [InlineData("99999999999999999999s")]
    public void AMalformedCancelAfter_IsAFieldErrorOfItsOwn(string header)
    {
        // Arrange
        var errors = new List<FieldError>();

        // Act
        var deadline = RequestDeadline.Parse(null, header, maxSeconds: 86_400, errors);

        // Assert
        Assert.Null(deadline);
        var error = Assert.Single(errors);
        Assert.Equal(("Cancel-After", ProblemCodes.InvalidDeadline), (error.Field, error.Code));
    }

    [Theory]
    [InlineData(4, null, "deadlineSeconds")]
    [InlineData(86_401, null, "deadlineSeconds")]
    [InlineData(null, "4s", "Cancel-After")]
    [InlineData(null, "2d", "Cancel-After")]
    [InlineData(60, "2m", "deadlineSeconds")]
    public void ADeadlineOutOfBounds_OrTwoThatDisagree_IsRefused(int? body, string? header, string field)
    {
        // Arrange
        var errors = new List<FieldError>();

        // Act
        var deadline = RequestDeadline.Parse(body, header, maxSeconds: 86_400, errors);

        // Assert
        Assert.Null(deadline);
        Assert.Equal(field, Assert.Single(errors).Field);
    }

    [Fact]
    public void TheSameDeadlineInBothPlaces_IsOneDeadline()
    {
        // Arrange
        var errors = new List<FieldError>();

        // Act
        var deadline = RequestDeadline.Parse(120, "2m", maxSeconds: 86_400, errors);

        // Assert
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromMinutes(2), deadline);
    }

    [Fact]
    public void TheDeadline_IsPartOfWhatAnIdempotencyKeyWasUsedFor()
    {
        // Arrange
        var validator = new CreateGenerationValidator(
            Options.Create(new ApiOptions()),
            Options.Create(new GeminiOptions { Model = "gemini-3.1-flash-image" }),
            Options.Create(new NanoBanana.Functions.Webhooks.WebhookOptions()));

        // Act
        var without = validator.Validate(new CreateGenerationRequest { Prompt = "p" }, "k").RequestHash;
        var within60 = validator.Validate(new CreateGenerationRequest { Prompt = "p", DeadlineSeconds = 60 }, "k").RequestHash;
        var header60 = validator.Validate(new CreateGenerationRequest { Prompt = "p" }, "k", cancelAfter: "1m").RequestHash;
        var within90 = validator.Validate(new CreateGenerationRequest { Prompt = "p", DeadlineSeconds = 90 }, "k").RequestHash;

        // Assert
        Assert.NotEqual(without, within60);
        Assert.Equal(within60, header60);
        Assert.NotEqual(within60, within90);
    }
}
