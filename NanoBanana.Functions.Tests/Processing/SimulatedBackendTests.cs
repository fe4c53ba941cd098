using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>Gemini__Backend=Simulated, as the sample local settings run the app.</summary>
public sealed class SimulatedBackendTests
{
    [Fact]
    public async Task Simulated_CompletesWithARealPngOfTheRequestedShape()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = await app.Api.CreateAsync(token, new { prompt = "a tall banana", aspectRatio = "9:16" });

        // Act
        await app.DeliverUntilSettledAsync(created.Generation.Id);
        var image = await app.Api.ImageAsync(token, created.Generation.Id.ToString());

        // Assert
        Assert.Equal("image/png", ImageSniffer.Detect(image.Body));
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.Body.AsSpan(16));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.Body.AsSpan(20));
        Assert.Equal((144, 256), (width, height));
    }

    [Fact]
    public async Task Simulated_CanPlayAFailure_ForTryingOutErrorScreens()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await app.Api.CreateGenerationAsync(token, "something unsafe [simulate:IMAGE_SAFETY]");

        // Act
        await app.DeliverUntilSettledAsync(generation.Id);

        // Assert
        Assert.Equal(("failed", 1, "IMAGE_SAFETY"), await app.RowAsync(generation.Id));
    }
}
