using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>
/// Drafts (issue 23 item 4): where the model thinks in images, the worker streams the call and keeps each
/// interim image flagged thought as a draft, with a draft event, while the generation is still processing;
/// the result is the final image as before. Against the Gemini fake speaking streamGenerateContent's SSE.
/// </summary>
public sealed class DraftTests : WorkerAppTests
{
    private static readonly byte[] FirstDraft = NanoBanana.Functions.Gemini.TinyPng.Gradient(8, 8, 10, 20, 30);
    private static readonly byte[] SecondDraft = NanoBanana.Functions.Gemini.TinyPng.Gradient(8, 8, 40, 50, 60);
    private static readonly byte[] Final = NanoBanana.Functions.Gemini.TinyPng.Gradient(8, 8, 200, 210, 220);

    [Fact]
    public async Task InterimImages_AreDrafts_VisibleWhileProcessing_AndTheFinalImageIsTheResult()
    {
        // Arrange: two thought images, then the answer waits.
        var gate = new TaskCompletionSource();
        var sent = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Thinking([FirstDraft, SecondDraft], Final, gate.Task, sent));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        var delivery = App.DeliverAsync(generation.Id);
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: what the phone sees while Gemini still thinks, then at the end.
        var whileThinking = await EventuallyAsync(token, generation.Id, g => g.Drafts.Count == 2);
        var draftBytes = (await App.Api.ImageAsync(token, generation.Id.ToString(), "?draft=1")).Body;
        gate.SetResult();
        Assert.Null(await delivery);
        var done = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        var resultBytes = (await App.Api.ImageAsync(token, generation.Id.ToString())).Body;

        // Assert
        Assert.Equal("processing", whileThinking.Status);
        Assert.Equal($"/api/generations/{generation.Id:D}/image?draft=0", whileThinking.Drafts[0].Url);
        Assert.Equal(SecondDraft, draftBytes);
        Assert.Equal("completed", done.Status);
        Assert.Equal(2, done.Drafts.Count);
        Assert.Equal(Final, resultBytes);
        Assert.Equal(1, done.PaidCalls);
        var sentRequest = Assert.Single(Gemini.Requests);
        Assert.Equal("/v1beta/models/gemini-3.1-flash-image:streamGenerateContent?alt=sse", sentRequest.PathAndQuery);
        Assert.True(sentRequest.Json.GetProperty("generationConfig").GetProperty("thinkingConfig").GetProperty("includeThoughts").GetBoolean());
        Assert.Equal(2, await App.ScalarAsync("SELECT count(*) FROM generation_event_log WHERE generation_id = @id AND kind = 'draft'", ("id", generation.Id)));
    }

    [Fact]
    public async Task WithDraftsOff_TheCallIsOneAnswer_AndThereAreNoDrafts()
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(Gemini, settings => settings["Gemini:Drafts"] = "false");
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await app.Api.CreateGenerationAsync(token);

        // Act
        await app.DeliverUntilSettledAsync(generation.Id);
        var done = (await app.Api.GetAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal(("completed", 0), (done.Status, done.Drafts.Count));
        var sentRequest = Assert.Single(Gemini.Requests);
        Assert.Equal("/v1beta/models/gemini-3.1-flash-image:generateContent", sentRequest.PathAndQuery);
        Assert.False(sentRequest.Json.GetProperty("generationConfig").TryGetProperty("thinkingConfig", out _));
    }

    [Fact]
    public async Task AStreamWithoutThoughtImages_EndsAsACallAlwaysDid()
    {
        // Arrange: the fake's ordinary answer, sent as the one chunk of a stream.
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.DeliverUntilSettledAsync(generation.Id);
        var done = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal(("completed", 0, 1, "Here is your image"), (done.Status, done.Drafts.Count, done.Images.Count, done.Text));
        Assert.EndsWith(":streamGenerateContent?alt=sse", Assert.Single(Gemini.Requests).PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamCutAfterADraft_IsACutConnection_TheCallCounts_AndTheDraftStays()
    {
        // Arrange: the connection drops once the draft is kept (a reset earlier could discard it unread).
        var cut = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Thinking([FirstDraft], Final, cut.Task, cutBeforeFinal: true));
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var delivery = App.DeliverAsync(generation.Id);
        await EventuallyAsync(token, generation.Id, g => g.Drafts.Count == 1);
        cut.SetResult();
        await delivery;
        var afterCut = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;

        // Assert: handed back for the run's next attempt, the call paid (Google worked), the draft kept.
        Assert.Equal("pending", afterCut.Status);
        Assert.Equal((1, 1, "GEMINI_UNAVAILABLE"), await App.RunAsync(generation.Id));
        Assert.Single(afterCut.Drafts);
    }

    [Fact]
    public async Task ADraftForAClaimThatIsGone_IsRefused_AndARetryStartsWithoutDrafts()
    {
        // Arrange: a claim with one draft, then the owner cancels.
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        var store = App.Services.GetRequiredService<MaintenanceRoleStore>();
        var claimed = ((await store.TakeAsync(generation.Id, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(45), new RunLimits(5, 3), CancellationToken.None)).Row)!;
        var image = new StoredImage($"{generation.Id:D}/draft-1-0", "image/png", 10);
        var first = await store.AddDraftAsync(claimed, image, DateTimeOffset.UtcNow, CancellationToken.None);
        await App.Api.CancelAsync(token, generation.Id.ToString());

        // Act
        var late = await store.AddDraftAsync(claimed, image with { BlobName = $"{generation.Id:D}/draft-1-1" }, DateTimeOffset.UtcNow, CancellationToken.None);
        var retried = (await App.Api.RetryAsync(token, generation.Id.ToString())).Generation;

        // Assert
        Assert.Equal(0, first);
        Assert.Null(late);
        Assert.Empty(retried.Drafts);
    }

    [Fact]
    public async Task TheOrphanSweep_CountsDraftsAsReferenced()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        var store = App.Services.GetRequiredService<MaintenanceRoleStore>();
        var claimed = ((await store.TakeAsync(generation.Id, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(45), new RunLimits(5, 3), CancellationToken.None)).Row)!;
        await store.AddDraftAsync(claimed, new StoredImage($"{generation.Id:D}/draft-1-0", "image/png", 10), DateTimeOffset.UtcNow, CancellationToken.None);

        // Act
        var referenced = await store.ReferencedBlobsAsync([generation.Id], CancellationToken.None);

        // Assert
        Assert.Contains($"{generation.Id:D}/draft-1-0", referenced[generation.Id]);
    }

    private async Task<GenerationResponse> EventuallyAsync(string token, Guid id, Func<GenerationResponse, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var read = (await App.Api.GetAsync(token, id.ToString())).Generation;
            if (done(read) || DateTime.UtcNow > until)
            {
                return read;
            }

            await Task.Delay(50);
        }
    }
}
