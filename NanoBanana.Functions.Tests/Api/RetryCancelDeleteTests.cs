using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class RetryCancelDeleteTests : IAsyncLifetime
{
    private FunctionApp _app = null!;

    public async Task InitializeAsync() => _app = await FunctionApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("pending")]
    [InlineData("processing")]
    public async Task Cancel_AnActiveGeneration_CancelsIt(string status)
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await SetStatusAsync(generation.Id, status);

        // Act
        var response = await _app.Api.CancelAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("cancelled", response.Generation.Status);
        Assert.NotNull(response.Generation.CompletedAt);
    }

    [Fact]
    public async Task Cancel_Twice_IsHarmless()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        var first = await _app.Api.CancelAsync(token, generation.Id.ToString());

        // Act
        var second = await _app.Api.CancelAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status200OK, second.Status);
        Assert.Equal(first.Headers.ETag.ToString(), second.Headers.ETag.ToString());
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("failed")]
    public async Task Cancel_AFinishedGeneration_IsAConflict(string status)
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await SetStatusAsync(generation.Id, status);

        // Act
        var response = await _app.Api.CancelAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status409Conflict, response.Status);
        Assert.Equal("generation_not_cancellable", response.ProblemCode);
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("cancelled")]
    [InlineData("expired")]
    public async Task Retry_AFailedOrCancelledGeneration_QueuesItAgain(string status)
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await SetStatusAsync(generation.Id, status);
        await _app.RawQueue.ClearMessagesAsync();

        // Act
        var response = await _app.Api.RetryAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.Equal("pending", response.Generation.Status);
        Assert.Null(response.Generation.Error);
        Assert.Null(response.Generation.CompletedAt);
        Assert.Equal(1, response.Generation.Attempts); // attempts so far are kept; the next claim makes it 2
        var message = Assert.Single((await _app.RawQueue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        Assert.Equal(generation.Id.ToString("D"), Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("processing")]
    [InlineData("completed")]
    public async Task Retry_AGenerationThatIsNotFailedOrCancelled_IsAConflict(string status)
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await SetStatusAsync(generation.Id, status);

        // Act
        var response = await _app.Api.RetryAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status409Conflict, response.Status);
        Assert.Equal("generation_not_retryable", response.ProblemCode);
        Assert.Contains(status, response.Json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RetryCancelDelete_OnAnotherUsersGeneration_Are404_AndChangeNothing()
    {
        // Arrange
        var ownerToken = TestTokens.For(TestTokens.NewUserId());
        var intruder = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(ownerToken);
        var id = generation.Id.ToString();

        // Act
        var retry = await _app.Api.RetryAsync(intruder, id);
        var cancel = await _app.Api.CancelAsync(intruder, id);
        var delete = await _app.Api.DeleteAsync(intruder, id);

        // Assert
        Assert.All([retry, cancel, delete], r => Assert.Equal("generation_not_found", r.ProblemCode));
        var after = await _app.Api.GetAsync(ownerToken, id);
        Assert.Equal("pending", after.Generation.Status);
    }

    [Fact]
    public async Task Retry_OfAnUnknownGeneration_Is404_WhateverKeyHeaderItCarries()
    {
        var response = await _app.InvokeAsync(
            _app.Request("POST", $"/api/generations/{Guid.NewGuid()}/retry", TestTokens.For(TestTokens.NewUserId()),
                headers: new Dictionary<string, string> { ["X-Gemini-Api-Key"] = "not a key" }),
            async r => await _app.Function<NanoBanana.Functions.Api.GenerationActionFunctions>().Retry(r, r.Path.Value!.Split('/')[3], CancellationToken.None));

        Assert.Equal("generation_not_found", response.ProblemCode);
    }

    [Fact]
    public async Task Delete_RemovesTheRowAndItsImages()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = await _app.Api.CreateAsync(token, new { prompt = "p", images = new[] { TestImages.Part("image/png", TestImages.Png) } });
        var id = created.Generation.Id;

        // Act
        var response = await _app.Api.DeleteAsync(token, id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status204NoContent, response.Status);
        Assert.Equal(StatusCodes.Status404NotFound, (await _app.Api.GetAsync(token, id.ToString())).Status);
        Assert.False((await _app.Images.GetBlobClient($"{id:D}/input-0").ExistsAsync()).Value);
        Assert.Equal(StatusCodes.Status404NotFound, (await _app.Api.DeleteAsync(token, id.ToString())).Status);
    }

    // States only the worker reaches, set directly so the API's rules for them can be checked now.
    [Fact]
    public async Task Create_StoresTheModelThatRuns_WhenTheRequestNamesNone()
    {
        // Act
        var generation = await _app.Api.CreateGenerationAsync(TestTokens.For(TestTokens.NewUserId()));

        // Assert: history shows what ran, even after the default changes.
        Assert.Equal("gemini-3.1-flash-image", generation.Options.Model);
    }

    [Fact]
    public async Task Retry_OfAGenerationOnARetiredModel_RunsOnTheDefault_AndSaysSo()
    {
        // Arrange: a failed generation from before the retirement (the seed's model, 16:9).
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await SetStatusAsync(generation.Id, "failed");
        await _app.ExecuteSqlAsync("""UPDATE generations SET options = '{"model": "gemini-2.5-flash-image", "aspectRatio": "16:9"}' WHERE id = @id""", ("id", generation.Id));

        // Act
        var response = await _app.Api.RetryAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.Equal("gemini-3.1-flash-image", response.Generation.Options.Model);
        Assert.Equal("16:9", response.Generation.Options.AspectRatio);
        var stored = (await _app.Api.GetAsync(token, generation.Id.ToString())).Generation;
        Assert.Equal("gemini-3.1-flash-image", stored.Options.Model);
    }

    [Fact]
    public async Task Retry_WhoseOptionsTheModelNoLongerTakes_Is400_AndLeavesItFailed()
    {
        // Arrange: 4:1 at 512 is 3.1 Flash's; the generation asked it of 3 Pro (as an older catalog may have allowed).
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        await SetStatusAsync(generation.Id, "failed");
        await _app.ExecuteSqlAsync("""UPDATE generations SET options = '{"model": "gemini-3-pro-image", "aspectRatio": "4:1", "resolution": "512"}' WHERE id = @id""", ("id", generation.Id));

        // Act
        var response = await _app.Api.RetryAsync(token, generation.Id.ToString());

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("invalid_aspect_ratio", response.ProblemCode);
        Assert.Equal("failed", (await _app.RowAsync(generation.Id)).Status);
    }

    private Task SetStatusAsync(Guid id, string status) => _app.ExecuteSqlAsync("""
        UPDATE generations
        SET status = @status, attempt = 1,
            started_at = CASE WHEN @status = 'pending' THEN NULL ELSE created_at END,
            completed_at = CASE WHEN @status IN ('completed', 'failed', 'cancelled', 'expired') THEN now() END,
            cancel_outcome = CASE WHEN @status IN ('cancelled', 'expired') THEN 'before_call' END,
            error_code = CASE WHEN @status = 'failed' THEN 'GEMINI_UNAVAILABLE' END,
            error_message = CASE WHEN @status = 'failed' THEN 'Gemini was unavailable.' END,
            version = version + 1
        WHERE id = @id
        """, ("id", id), ("status", status));
}
