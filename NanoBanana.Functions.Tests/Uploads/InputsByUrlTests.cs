using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Uploads;

/// <summary>Gemini__InputsByUrl: an uploaded reference reaches Gemini as fileData with a read-only SAS the (fake) Gemini fetches itself.</summary>
public sealed class InputsByUrlTests : IAsyncLifetime
{
    private readonly string _container = $"uploads-{Guid.NewGuid():N}"[..20];
    private FakeGemini _gemini = null!;

    public async Task InitializeAsync() => _gemini = await FakeGemini.StartAsync();

    public async Task DisposeAsync()
    {
        await _gemini.DisposeAsync();
        await new BlobContainerClient(TestSettings.Storage, _container).DeleteIfExistsAsync();
    }

    private Task<FunctionApp> StartAsync(bool byUrl) => FunctionApp.StartWithGeminiAsync(_gemini, settings =>
    {
        settings["Uploads:Container"] = _container;
        settings["Gemini:InputsByUrl"] = byUrl ? "true" : "false";
    });

    [Fact]
    public async Task InputsByUrl_On_SendsFileDataWithAReadOnlyUrl_ThatGeminiFetches()
    {
        // Arrange
        await using var app = await StartAsync(byUrl: true);
        var token = TestTokens.For(TestTokens.NewUserId());
        var upload = await UploadTestClient.UploadAsync(app, token, "image/heic", TestImages.Heic);
        var created = (await app.Api.CreateAsync(token, new { prompt = "p", images = new object[] { UploadTestClient.Image(upload.Id), TestImages.Part("image/png", TestImages.Png) } })).Generation;

        // Act
        await app.DeliverUntilSettledAsync(created.Id);

        // Assert: the upload went by URL, the inline image inline; the URL reads but does not write.
        Assert.Equal("completed", (await app.RowAsync(created.Id)).Status);
        var parts = Assert.Single(_gemini.Requests).Json.GetProperty("contents")[0].GetProperty("parts");
        var fileData = parts[0].GetProperty("fileData");
        Assert.False(parts[0].TryGetProperty("inlineData", out _));
        Assert.Equal("image/heic", fileData.GetProperty("mimeType").GetString());
        Assert.True(parts[1].TryGetProperty("inlineData", out _));
        var fetched = Assert.Single(_gemini.FetchedFiles);
        Assert.Equal(TestImages.Heic, fetched.Content);
        Assert.Contains("sp=r&", fetched.Uri.Query + "&");
        var write = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => new BlobClient(fetched.Uri).UploadAsync(BinaryData.FromBytes(TestImages.Png), overwrite: true));
        Assert.Equal(StatusCodes.Status403Forbidden, write.Status);
    }

    [Fact]
    public async Task InputsByUrl_Off_SendsTheUploadedBytesInline()
    {
        // Arrange
        await using var app = await StartAsync(byUrl: false);
        var token = TestTokens.For(TestTokens.NewUserId());
        var upload = await UploadTestClient.UploadAsync(app, token, "image/heic", TestImages.Heic);
        var created = (await app.Api.CreateAsync(token, new { prompt = "p", images = new[] { UploadTestClient.Image(upload.Id) } })).Generation;

        // Act
        await app.DeliverUntilSettledAsync(created.Id);

        // Assert
        Assert.Equal("completed", (await app.RowAsync(created.Id)).Status);
        var inline = Assert.Single(_gemini.Requests).Json.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("inlineData");
        Assert.Equal("image/heic", inline.GetProperty("mimeType").GetString());
        Assert.Equal(TestImages.Heic, Convert.FromBase64String(inline.GetProperty("data").GetString()!));
        Assert.Empty(_gemini.FetchedFiles);
    }
}
