using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// The mission's long generations, in real time: nothing here is shrunk. Gemini takes 150 s; the
/// default settings give a flash model 180 s per call, and the 45 s lease lives on its heartbeat.
/// (The one test of the suite that waits for real time; xunit runs it beside the other classes.)
/// </summary>
public sealed class LongGenerationTests
{
    [Fact]
    public async Task A150SecondGeneration_WithTheFlashDefaults_CompletesInOneCall_WhileTheSweepRuns()
    {
        // Arrange: the default Gemini and Processing settings; the model is the default flash one.
        await using var gemini = await FakeGemini.StartAsync();
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(settings => FunctionApp.UseGemini(settings, gemini), database: db);
        gemini.Default = GeminiReplies.Delayed(TimeSpan.FromSeconds(150), GeminiReplies.Image(TestImages.Png));
        var generation = await app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));
        var repair = app.Services.GetRequiredService<RepairService>();

        // Act: the repair sweep keeps running while the call takes its 150 s.
        var delivery = app.DeliverAsync(generation.Id);
        var requeued = 0;
        while (await Task.WhenAny(delivery, Task.Delay(TimeSpan.FromSeconds(20))) != delivery)
        {
            requeued += (await repair.RunAsync(sweepOrphanBlobs: false, CancellationToken.None)).Requeued;
        }

        // Assert: one call, one attempt, never taken away from the worker that was making it.
        Assert.Null(await delivery);
        Assert.Equal(("completed", 1, (string?)null), await app.RowAsync(generation.Id));
        Assert.Single(gemini.Requests);
        Assert.Equal(0, requeued);
        Assert.True(app.Logs.Lines.Count(l => l.Message.EndsWith("lease renewed", StringComparison.Ordinal)) >= 9,
            "the 45 s lease should have been renewed every 15 s of the 150 s call");
    }
}
