using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>At 3 AM an operator filters by generation: every worker line must carry its id, and its attempt once claimed.</summary>
public sealed class PipelineLoggingTests
{
    [Fact]
    public async Task EveryWorkerLogLine_CarriesTheGenerationId_AndTheAttemptOnceClaimed()
    {
        // Arrange
        await using var gemini = await FakeGemini.StartAsync();
        // The first delivery's call and both its retries meet 503s; the second delivery succeeds.
        gemini.Enqueue(Enumerable.Repeat(GeminiReplies.Error(503, "UNAVAILABLE", "overloaded"), 3).ToArray());
        await using var app = await FunctionApp.StartWithGeminiAsync(gemini);
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        var before = app.Logs.Lines.Count;

        // Act
        await app.DeliverUntilSettledAsync(generation.Id);
        await app.DeliverAsync(generation.Id); // a late duplicate: nothing to claim

        // Assert
        var pipeline = app.Logs.Lines.Skip(before)
            .Where(l => l.Category.StartsWith("NanoBanana.Functions.Processing", StringComparison.Ordinal)
                        || l.Category.StartsWith("NanoBanana.Functions.Gemini", StringComparison.Ordinal))
            .ToList();
        Assert.True(pipeline.Count >= 8, $"{pipeline.Count} lines");
        Assert.All(pipeline, line => Assert.Equal(generation.Id, line.Properties["GenerationId"]));
        var claimed = pipeline.Where(l => !l.Message.Contains("nothing to claim")).ToList();
        Assert.All(claimed, line => Assert.True(line.Properties.ContainsKey("Attempt"), line.Message));
        Assert.Contains(claimed, l => Equals(l.Properties["Attempt"], 2));
    }
}
