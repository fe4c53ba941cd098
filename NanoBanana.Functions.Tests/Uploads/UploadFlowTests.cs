using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Uploads;

/// <summary>POST /uploads, the phone's PUT straight to Azurite with the SAS alone, and a create naming the upload.</summary>
public sealed class UploadFlowTests : IAsyncLifetime
{
    private readonly string _container = $"uploads-{Guid.NewGuid():N}"[..20];
    private FunctionApp _app = null!;

    public async Task InitializeAsync() => _app = await StartAppAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await new BlobContainerClient(TestSettings.Storage, _container).DeleteIfExistsAsync();
    }

    private Task<FunctionApp> StartAppAsync(TimeProvider? clock = null, Action<Dictionary<string, string?>>? configure = null, TestDatabase? database = null) =>
        FunctionApp.StartAsync(settings =>
        {
            settings["Uploads:Container"] = _container;
            configure?.Invoke(settings);
        }, clock, database);

    [Fact]
    public async Task Upload_PutInBlocks_ThenCreate_StoresTheUploadAsTheInput()
    {
        // Arrange
        var user = TestTokens.NewUserId();
        var token = TestTokens.For(user);

        // Act
        var upload = await UploadTestClient.UploadAsync(_app, token, "image/png", TestImages.Png);
        var created = await _app.Api.CreateAsync(token, new { prompt = "a banana", images = new[] { UploadTestClient.Image(upload.Id) } });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal(1, created.Generation.InputImageCount);
        var inputs = await _app.ScalarAsync("SELECT count(*) FROM generations WHERE id = @id AND input_images @> jsonb_build_array(jsonb_build_object('uploadId', @upload::text, 'mimeType', 'image/png'))",
            ("id", created.Generation.Id), ("upload", upload.Id.ToString()));
        Assert.Equal(1, inputs);
        Assert.Equal(1, await _app.ScalarAsync("SELECT count(*) FROM uploads WHERE id = @id AND used_by = @generation",
            ("id", upload.Id), ("generation", created.Generation.Id)));
        Assert.Empty(await _app.BlobNamesAsync($"{created.Generation.Id:D}/input-")); // not copied: the row points to the upload
    }

    [Fact]
    public async Task UploadUrl_IsWriteOnly_ForExactlyOneBlob()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var upload = await UploadTestClient.UploadAsync(_app, token, "image/png", TestImages.Png);
        var url = upload.UploadUrl;
        var otherName = new UriBuilder(url) { Path = $"/{url.Segments[1]}{url.Segments[2]}{Guid.NewGuid():D}" }.Uri;
        var containerOnly = new UriBuilder(url) { Path = $"/{url.Segments[1]}{url.Segments[2].TrimEnd('/')}" }.Uri;

        // Act
        var read = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(url).DownloadContentAsync());
        var writeOther = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(otherName).UploadAsync(BinaryData.FromBytes(TestImages.Png)));
        var delete = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(url).DeleteAsync());
        var list = await Assert.ThrowsAsync<RequestFailedException>(async () =>
        {
            await foreach (var _ in new BlobContainerClient(containerOnly).GetBlobsAsync())
            {
            }
        });

        // Assert: Azurite itself refuses each, and the blob is still there.
        Assert.Equal(403, read.Status);
        Assert.Equal(403, writeOther.Status);
        Assert.Equal(403, delete.Status);
        Assert.Equal(403, list.Status);
        Assert.True((await _app.Services.GetRequiredService<NanoBanana.Functions.Uploads.UploadSas>().Container
            .GetBlobClient(upload.Id.ToString("D")).ExistsAsync()).Value);
    }

    [Fact]
    public async Task UploadUrl_Expired_IsRefusedByBlobStorage()
    {
        // Arrange: the app's clock an hour behind, so a one-minute URL has expired by the storage's clock.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var app = await StartAppAsync(clock, s => s["Uploads:UrlMinutes"] = "1");
        var token = TestTokens.For(TestTokens.NewUserId());
        var opened = (await UploadTestClient.OpenAsync(app, token, new { mimeType = "image/png", bytes = TestImages.Png.Length }))
            .Read<NanoBanana.Functions.Uploads.UploadResponse>();

        // Act
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => UploadTestClient.PutInBlocksAsync(opened.UploadUrl, TestImages.Png));

        // Assert
        Assert.Equal(clock.GetUtcNow().AddMinutes(1), opened.ExpiresAt);
        Assert.Equal(403, refused.Status);
    }

    [Fact]
    public async Task Create_WithAnotherUsersUpload_IsNotFound_AndWritesNothing()
    {
        // Arrange
        var owner = TestTokens.For(TestTokens.NewUserId());
        var otherUser = TestTokens.NewUserId();
        var upload = await UploadTestClient.UploadAsync(_app, owner, "image/png", TestImages.Png);

        // Act
        var created = await _app.Api.CreateAsync(TestTokens.For(otherUser), new { prompt = "p", images = new[] { UploadTestClient.Image(upload.Id) } });

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, created.Status);
        Assert.Equal("upload_not_found", created.ProblemCode);
        Assert.Equal(0, await _app.CountRowsAsync(otherUser));
    }

    [Fact]
    public async Task Create_WhenTheUploadedSizeDiffersFromTheDeclared_IsRefused()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var upload = await UploadTestClient.UploadAsync(_app, token, "image/png", TestImages.Png, declaredBytes: TestImages.Png.Length + 1);

        // Act
        var created = await _app.Api.CreateAsync(token, new { prompt = "p", images = new[] { UploadTestClient.Image(upload.Id) } });

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, created.Status);
        Assert.Equal("upload_size_mismatch", created.ProblemCode);
        Assert.Equal("images[0].uploadId", created.Json.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Create_BeforeTheBlocksAreCommitted_IsUploadIncomplete()
    {
        // Arrange: blocks staged, no block list: the blob does not exist yet.
        var token = TestTokens.For(TestTokens.NewUserId());
        var opened = (await UploadTestClient.OpenAsync(_app, token, new { mimeType = "image/png", bytes = TestImages.Png.Length }))
            .Read<NanoBanana.Functions.Uploads.UploadResponse>();
        await new BlockBlobClient(opened.UploadUrl).StageBlockAsync(Convert.ToBase64String(new byte[8]), new MemoryStream(TestImages.Png));

        // Act
        var created = await _app.Api.CreateAsync(token, new { prompt = "p", images = new[] { UploadTestClient.Image(opened.Id) } });

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, created.Status);
        Assert.Equal("upload_incomplete", created.ProblemCode);
    }

    [Fact]
    public async Task Create_WithAnUploadTheModelDoesNotTake_IsRefused_AndMixedWithInlineWithinTheCount()
    {
        // Arrange: 2.5-era limits do not apply; the chosen model's rules do, uploads and inline together.
        var token = TestTokens.For(TestTokens.NewUserId());
        var upload = await UploadTestClient.UploadAsync(_app, token, "image/png", TestImages.Png);
        var fifteen = Enumerable.Range(0, 14).Select(_ => TestImages.Part("image/png", TestImages.Png)).Append(UploadTestClient.Image(upload.Id)).ToArray();

        // Act
        var tooMany = await _app.Api.CreateAsync(token, new { prompt = "p", images = fifteen });
        var mixed = await _app.Api.CreateAsync(token, new { prompt = "p", images = new[] { TestImages.Part("image/jpeg", TestImages.Jpeg), UploadTestClient.Image(upload.Id) } });

        // Assert
        Assert.Equal("too_many_images", tooMany.ProblemCode);
        Assert.Equal(StatusCodes.Status202Accepted, mixed.Status);
        Assert.Equal(2, mixed.Generation.InputImageCount);
    }

    [Fact]
    public async Task OpenUpload_RefusesAnUnknownTypeAndATooLargeSize()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var gif = await UploadTestClient.OpenAsync(_app, token, new { mimeType = "image/gif", bytes = 10 });
        var huge = await UploadTestClient.OpenAsync(_app, token, new { mimeType = "image/png", bytes = 64L * 1024 * 1024 });

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, gif.Status);
        Assert.Equal("invalid_upload", gif.ProblemCode);
        Assert.Equal("upload_too_large", huge.ProblemCode);
    }

    [Fact]
    public async Task Worker_SniffsTheUploadedBytes_AndFailsAWrongMagicClearly()
    {
        // Arrange: declared PNG, the right size, but not an image.
        var token = TestTokens.For(TestTokens.NewUserId());
        var upload = await UploadTestClient.UploadAsync(_app, token, "image/png", TestImages.NotAnImage);
        var created = (await _app.Api.CreateAsync(token, new { prompt = "p", images = new[] { UploadTestClient.Image(upload.Id) } })).Generation;

        // Act
        await _app.DeliverUntilSettledAsync(created.Id);

        // Assert
        var generation = (await _app.Api.GetAsync(token, created.Id.ToString())).Generation;
        Assert.Equal("failed", generation.Status);
        Assert.Equal("INPUT_INVALID", generation.Error!.Code);
        Assert.False(generation.Error.Retryable);
        Assert.Contains("declared image/png", generation.Error.Message);
    }

    [Fact]
    public async Task Cleanup_DeletesUploadsNoGenerationUses_AfterTheGrace_RowAndBlob()
    {
        // Arrange: a database of its own (the cleanup looks at every user's uploads), three uploads.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await StartAppAsync(clock, database: db);
        var token = TestTokens.For(TestTokens.NewUserId());
        var unused = await UploadTestClient.UploadAsync(app, token, "image/png", TestImages.Png);
        var used = await UploadTestClient.UploadAsync(app, token, "image/png", TestImages.Png);
        var released = await UploadTestClient.UploadAsync(app, token, "image/png", TestImages.Png);
        await app.Api.CreateAsync(token, new { prompt = "p", images = new[] { UploadTestClient.Image(used.Id) } });
        var deleted = (await app.Api.CreateAsync(token, new { prompt = "p", images = new[] { UploadTestClient.Image(released.Id) } })).Generation;
        await app.Api.DeleteAsync(token, deleted.Id.ToString());
        var cleanup = app.Services.GetRequiredService<CleanupService>();

        // Act
        var early = await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(61));
        var late = await cleanup.RunAsync(DateTimeOffset.MaxValue, CancellationToken.None);

        // Assert
        Assert.Equal(0, early.DeletedUploads);
        Assert.Equal(2, late.DeletedUploads);
        var container = app.Services.GetRequiredService<NanoBanana.Functions.Uploads.UploadSas>().Container;
        Assert.False((await container.GetBlobClient(unused.Id.ToString("D")).ExistsAsync()).Value);
        Assert.False((await container.GetBlobClient(released.Id.ToString("D")).ExistsAsync()).Value);
        Assert.True((await container.GetBlobClient(used.Id.ToString("D")).ExistsAsync()).Value);
        Assert.Equal(1, await app.ScalarAsync("SELECT count(*) FROM uploads"));
    }
}
