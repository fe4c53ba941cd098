using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

/// <summary>A generation's life through the real worker: Postgres, Azurite and a Gemini-speaking HTTP server.</summary>
public sealed class GenerationLifecycleTests : WorkerAppTests
{
    [Fact]
    public async Task Generation_GoesPendingProcessingCompleted_AndItsImageComesBackByteIdentical()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var image = TestImages.Png.Concat(Enumerable.Range(0, 5000).Select(i => (byte)i)).ToArray();
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(image, text: "A banana, surfing.")));
        var created = await App.Api.CreateGenerationAsync(token, "a banana surfing");
        var id = created.Id.ToString();

        // Act: the message the API sent is what the worker gets.
        var message = Assert.Single((await App.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        var delivery = App.Function<GenerationWorkerFunctions>()
            .Process(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)), CancellationToken.None);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var during = await App.Api.GetAsync(token, id);
        gate.SetResult();
        await delivery;
        var after = await App.Api.GetAsync(token, id);
        var download = await App.Api.ImageAsync(token, id, "?index=0");

        // Assert
        Assert.Equal("pending", created.Status);
        Assert.Equal("processing", during.Generation.Status);
        Assert.NotNull(during.Generation.StartedAt);
        Assert.Equal(1, during.Generation.Attempts);
        Assert.Equal("completed", after.Generation.Status);
        Assert.Null(after.Generation.PollAfterSeconds);
        Assert.Equal("A banana, surfing.", after.Generation.Text);
        var described = Assert.Single(after.Generation.Images);
        Assert.Equal($"/api/generations/{id}/image?index=0", described.Url);
        Assert.Equal("image/png", described.MimeType);
        Assert.Equal(image.Length, described.Bytes);
        Assert.Equal(StatusCodes.Status200OK, download.Status);
        Assert.Equal("image/png", download.ContentType);
        Assert.Equal(image, download.Body);
    }

    [Fact]
    public async Task TheSameMessageDeliveredTwiceAtOnce_CallsGeminiOnce()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(TestImages.Png)));
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var first = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var duplicate = await App.DeliverAsync(generation.Id);
        gate.SetResult();
        var firstResult = await first;
        var late = await App.DeliverAsync(generation.Id);

        // Assert
        Assert.Null(firstResult);
        Assert.Null(duplicate);
        Assert.Null(late);
        Assert.Single(Gemini.Requests);
        Assert.Equal(("completed", 1, (string?)null), await App.RowAsync(generation.Id));
    }

    [Fact]
    public async Task AHeicReference_IsAccepted_AndReachesGeminiAsHeic_With31FlashsOwnOptions()
    {
        // Arrange: what a phone's camera writes, at 3.1 Flash's 4:1 ratio and 512 size (neither existed before Gemini 3.1).
        var token = TestTokens.For(TestTokens.NewUserId());
        var body = new { prompt = "make it a cartoon", aspectRatio = "4:1", resolution = "512", images = new[] { TestImages.Part("image/heic", TestImages.Heic) } };

        // Act
        var created = await App.Api.CreateAsync(token, body);
        await App.DeliverUntilSettledAsync(created.Generation.Id);

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        var sent = Assert.Single(Gemini.Requests).Json;
        Assert.Equal("/v1beta/models/gemini-3.1-flash-image:streamGenerateContent?alt=sse", Gemini.Requests.Single().PathAndQuery);
        var inline = sent.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("inlineData");
        Assert.Equal("image/heic", inline.GetProperty("mimeType").GetString());
        Assert.Equal(TestImages.Heic, Convert.FromBase64String(inline.GetProperty("data").GetString()!));
        var imageConfig = sent.GetProperty("generationConfig").GetProperty("imageConfig");
        Assert.Equal("4:1", imageConfig.GetProperty("aspectRatio").GetString());
        Assert.Equal("512", imageConfig.GetProperty("imageSize").GetString());
        Assert.Equal("completed", (await App.RowAsync(created.Generation.Id)).Status);
    }

    [Fact]
    public async Task AResultArrivingAfterCancel_IsDiscarded_AndLeavesNoImage()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(TestImages.Png)));
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        var delivery = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var cancel = await App.Api.CancelAsync(token, generation.Id.ToString());
        gate.SetResult();
        Assert.Null(await delivery);

        // Assert
        Assert.Equal("cancelled", cancel.Generation.Status);
        var after = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("cancelled", after.Status);
        Assert.Empty(after.Images);
        Assert.Empty(await App.BlobNamesAsync($"{generation.Id:D}/output-"));
    }

    [Fact]
    public async Task AStaleAttempt_CannotOverwriteTheNewerAttemptsResult()
    {
        // Arrange: attempt 1 hangs in Gemini; its lease runs out; attempt 2 takes over and finishes.
        var token = TestTokens.For(TestTokens.NewUserId());
        var staleImage = TestImages.Png.Append((byte)1).ToArray();
        var newImage = TestImages.Png.Append((byte)2).ToArray();
        var arrived = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        Gemini.Enqueue(GeminiReplies.Held(arrived, gate.Task, GeminiReplies.Image(staleImage)), GeminiReplies.Image(newImage));
        var generation = await App.Api.CreateGenerationAsync(token);
        var stale = App.DeliverAsync(generation.Id);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await App.ExecuteSqlAsync("UPDATE generations SET lease_expires_at = now() - interval '1 second' WHERE id = @id", ("id", generation.Id));

        // Act
        Assert.Null(await App.DeliverAsync(generation.Id));
        gate.SetResult();
        Assert.Null(await stale);

        // Assert
        var after = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("completed", after.Status);
        Assert.Equal(2, after.Attempts);
        Assert.Equal(newImage, (await App.Api.ImageAsync(token, generation.Id.ToString())).Body);
        Assert.Equal([$"{generation.Id:D}/output-2-0"], await App.BlobNamesAsync($"{generation.Id:D}/output-"));
    }

    [Fact]
    public async Task APoisonedMessage_FailsItsGenerationWithAReason()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);

        // Act
        await App.Function<GenerationWorkerFunctions>().FailUndeliverable(generation.Id.ToString(), CancellationToken.None);

        // Assert
        var after = (await App.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("failed", after.Status);
        Assert.Equal("DELIVERY_FAILED", after.Error!.Code);
        Assert.True(after.Error.Retryable);
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task AGenerationWhoseAttemptsAllExpired_FailsStuck_InsteadOfRunningAgain()
    {
        // Arrange: both allowed attempts were claimed and their leases ran out (workers died).
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await App.Api.CreateGenerationAsync(token);
        await App.ExecuteSqlAsync("""
            UPDATE generations SET status = 'processing', attempt = 2, run_attempt = 2, started_at = created_at,
                                   lease_expires_at = now() - interval '1 minute'
            WHERE id = @id
            """, ("id", generation.Id));

        // Act
        Assert.Null(await App.DeliverAsync(generation.Id));

        // Assert
        Assert.Equal(("failed", 2, "STUCK"), await App.RowAsync(generation.Id));
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task AMessageThatIsNotAnId_IsDroppedWithoutThrowing()
    {
        await App.Function<GenerationWorkerFunctions>().Process("{\"prompt\":\"not how we send work\"}", CancellationToken.None);

        Assert.Contains(App.Logs.Lines, l => l.Message.Contains("not a generation id"));
        Assert.Empty(Gemini.Requests);
    }
}
