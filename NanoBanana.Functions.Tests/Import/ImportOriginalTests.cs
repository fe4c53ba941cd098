using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Import;
using Npgsql;

namespace NanoBanana.Functions.Tests.Import;

/// <summary>
/// Moving in from the original Express + Supabase app: a real Postgres holding the original schema
/// with sample rows (base64 images in the row, an image behind a URL, a failed row, a stuck one, one
/// still processing), imported into a real NanoBanana (Postgres + Azurite) and read back through the API.
/// </summary>
public sealed class ImportOriginalTests : IAsyncLifetime
{
    private const string PlainTextKey = "AIzaPLAINTEXT-original-user-key-0123456789";

    private static readonly byte[] Webp = [.. "RIFF"u8, 0x1A, 0, 0, 0, .. "WEBPVP8 "u8, 0x0E, 0, 0, 0, 0x30, 0x01, 0, 0x9D, 0x01, 0x2A, 1, 0, 1, 0, 0x02, 0, 0x34, 0x25];

    private readonly Guid _user = Guid.NewGuid();
    private readonly Guid _otherUser = Guid.NewGuid();
    private readonly Dictionary<string, Guid> _rows = new()
    {
        ["png"] = Guid.NewGuid(),
        ["jpegWithInputs"] = Guid.NewGuid(),
        ["url"] = Guid.NewGuid(),
        ["safety"] = Guid.NewGuid(),
        ["timeout"] = Guid.NewGuid(),
        ["stuck"] = Guid.NewGuid(),
        ["running"] = Guid.NewGuid(),
        ["otherUser"] = Guid.NewGuid(),
    };

    private TestDatabase _target = null!;
    private TestDatabase _originalDatabase = null!;
    private string _original = "";
    private FunctionApp _app = null!;
    private WebApplication _imageHost = null!;
    private string _imageUrl = "";
    private string _settingsFile = "";

    public async Task InitializeAsync()
    {
        _target = await TestDatabase.CreateAsync();
        _app = await FunctionApp.StartAsync(database: _target);
        (_imageHost, var baseUrl) = await LoopbackServer.StartAsync(app => app.MapGet("/storage/result.webp", () => Results.Bytes(Webp, "image/webp")));
        _imageUrl = baseUrl + "/storage/result.webp";
        _originalDatabase = await TestDatabase.CreateEmptyAsync();
        _original = _originalDatabase.ConnectionString;
        await SeedOriginalAsync();

        // The target named the way the app's settings name it, as local.settings.json would.
        _settingsFile = Path.Combine(Path.GetTempPath(), $"nanobanana-import-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_settingsFile, JsonSerializer.Serialize(new
        {
            Values = new Dictionary<string, string?>
            {
                ["Postgres__ConnectionString"] = _app.Configuration["Postgres:ConnectionString"],
                ["AzureWebJobsStorage"] = TestSettings.Storage,
                ["Storage__ImageContainer"] = _app.Configuration["Storage:ImageContainer"],
                ["Outbound__AllowLoopback"] = "true", // the image host is a local server
            },
        }));
    }

    [Fact]
    public async Task Import_CarriesAUsersHistoryOver_ReadableThroughTheApi()
    {
        // Act
        var (exit, report) = await ImportAsync("--user", _user.ToString());

        // Assert: what was imported, and what was left.
        Assert.Equal(0, exit);
        Assert.Equal(7, report.GetProperty("read").GetInt32());
        Assert.Equal(6, report.GetProperty("imported").GetInt32());
        Assert.Equal(1, report.GetProperty("skipped").GetProperty(StatusMapping.StillProcessing).GetInt32());
        Assert.Equal(0, report.GetProperty("geminiKeysCopied").GetInt32());

        var token = TestTokens.For(_user.ToString());
        var history = (await _app.Api.ListAsync(token, "?limit=100")).Json.GetProperty("items").EnumerateArray()
            .ToDictionary(g => g.GetProperty("id").GetGuid());
        Assert.Equal(_rows.Where(r => r.Key is not ("running" or "otherUser")).Select(r => r.Value).Order(), history.Keys.Order());
        Assert.Equal(0, await _app.CountRowsAsync(_otherUser.ToString()));

        Assert.Equal("completed", history[_rows["png"]].GetProperty("status").GetString());
        Assert.Equal("9:16", history[_rows["png"]].GetProperty("options").GetProperty("aspectRatio").GetString());
        Assert.Equal(2, history[_rows["jpegWithInputs"]].GetProperty("inputImageCount").GetInt32());
        Assert.Equal(2, history[_rows["jpegWithInputs"]].GetProperty("attempts").GetInt32());
        AssertFailed(history[_rows["safety"]], "IMAGE_SAFETY", retryable: false);
        AssertFailed(history[_rows["timeout"]], StatusMapping.ImportedFailure, retryable: true);
        AssertFailed(history[_rows["stuck"]], "STUCK", retryable: true);
        Assert.Equal("Request timed out after 3 attempts", history[_rows["timeout"]].GetProperty("error").GetProperty("message").GetString());

        // ...and every image byte for byte, with its real type, from the image endpoint.
        await AssertImageAsync(token, "png", TestImages.Png, "image/png");
        await AssertImageAsync(token, "jpegWithInputs", TestImages.Jpeg, "image/jpeg");
        await AssertImageAsync(token, "url", Webp, "image/webp");
        Assert.Equal(2, (await _app.BlobNamesAsync($"{_rows["jpegWithInputs"]:D}/input-")).Count);
    }

    [Fact]
    public async Task Import_NeverCopiesThePlainTextGeminiKeys()
    {
        await ImportAsync("--all-users");

        await using var command = _app.DataSource.CreateCommand("""
            SELECT count(*) FILTER (WHERE row_to_json(generations)::text LIKE '%' || @key || '%'),
                   count(*) FILTER (WHERE api_key_ciphertext IS NOT NULL), count(*)
            FROM generations
            """);
        command.Parameters.AddWithValue("key", PlainTextKey);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(0, reader.GetInt64(0));
        Assert.Equal(0, reader.GetInt64(1));
        Assert.Equal(7, reader.GetInt64(2)); // everything but the generation still processing, both users
        foreach (var blob in await _app.BlobNamesAsync())
        {
            Assert.DoesNotContain(PlainTextKey, (await _app.Images.GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToString());
        }
    }

    [Fact]
    public async Task ImportingTwice_ChangesNothing()
    {
        // Arrange
        await ImportAsync("--user", _user.ToString());
        var rows = await SnapshotRowsAsync();
        var blobs = await SnapshotBlobsAsync();

        // Act
        var (exit, report) = await ImportAsync("--user", _user.ToString());

        // Assert: nothing written, nothing rewritten.
        Assert.Equal(0, exit);
        Assert.Equal(0, report.GetProperty("imported").GetInt32());
        Assert.Equal(6, report.GetProperty("alreadyImported").GetInt32());
        Assert.Equal(0, report.GetProperty("imagesCopied").GetInt32());
        Assert.Equal(rows, await SnapshotRowsAsync());
        Assert.Equal(blobs, await SnapshotBlobsAsync());
    }

    [Fact]
    public async Task AnImageUrlThatDoesNotAnswer_LeavesItsGenerationForALaterRun()
    {
        // Arrange
        await _imageHost.StopAsync();

        // Act
        var (exit, report) = await ImportAsync("--user", _user.ToString());

        // Assert: exit 3 says "run again"; the generation is not written half-done.
        Assert.Equal(3, exit);
        Assert.Equal(5, report.GetProperty("imported").GetInt32());
        Assert.Contains(report.GetProperty("skipped").EnumerateObject(), s => s.Name.StartsWith("image not reachable now", StringComparison.Ordinal));
        Assert.Equal(StatusCodes.Status404NotFound, (await _app.Api.GetAsync(TestTokens.For(_user.ToString()), _rows["url"].ToString())).Status);
    }

    [Theory]
    [InlineData("postgresql://importer:p%40ss@db.project.supabase.co:6543/postgres?sslmode=require", "db.project.supabase.co", 6543, "importer", "p@ss")]
    [InlineData("postgres://postgres:secret@localhost/original", "localhost", 5432, "postgres", "secret")]
    public void SupabaseUrls_BecomeConnectionStrings(string url, string host, int port, string user, string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(ImportCommand.ConnectionString(url));

        Assert.Equal((host, port, user, password), (builder.Host, builder.Port, builder.Username, builder.Password));
    }

    private async Task<(int Exit, JsonElement Report)> ImportAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ImportCommand.RunAsync([.. args, "--source", _original, "--settings", _settingsFile, "--json"], output, error, CancellationToken.None);
        Assert.True(exit is 0 or 3, $"exit {exit}: {error}");
        return (exit, JsonDocument.Parse(output.ToString()).RootElement.Clone());
    }

    private static void AssertFailed(JsonElement generation, string code, bool retryable)
    {
        Assert.Equal("failed", generation.GetProperty("status").GetString());
        Assert.Equal(code, generation.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(retryable, generation.GetProperty("error").GetProperty("retryable").GetBoolean());
    }

    private async Task AssertImageAsync(string token, string row, byte[] expected, string contentType)
    {
        var image = await _app.Api.ImageAsync(token, _rows[row].ToString());
        Assert.Equal(StatusCodes.Status200OK, image.Status);
        Assert.Equal(contentType, image.Headers.ContentType.ToString());
        Assert.Equal(expected, image.Body);
    }

    private async Task<List<string>> SnapshotRowsAsync()
    {
        await using var command = _app.DataSource.CreateCommand("SELECT row_to_json(g)::text FROM generations g ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private async Task<List<string>> SnapshotBlobsAsync()
    {
        var blobs = new List<string>();
        await foreach (var blob in _app.Images.GetBlobsAsync())
        {
            blobs.Add($"{blob.Name} {blob.Properties.ETag}");
        }

        return blobs;
    }

    private async Task SeedOriginalAsync()
    {
        await using var source = new NpgsqlConnection(_original);
        await source.OpenAsync();
        await using (var schema = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(TestSettings.RepositoryRoot, "NanoBanana.Functions.Tests", "Import", "original-schema.sql")), source))
        {
            await schema.ExecuteNonQueryAsync();
        }

        await using var seed = new NpgsqlCommand("""
            INSERT INTO users (id, email, gemini_api_key) VALUES (@user, 'alice@example.com', @key), (@other, 'bob@example.com', @key || '-bob');
            INSERT INTO generations (id, user_id, prompt, status, aspect_ratio, resolution, main_face_image_url, additional_images,
                                     result_base64, result_image_url, error_message, gemini_metadata, generation_time_seconds,
                                     retry_count, created_at, started_at, completed_at) VALUES
              (@png, @user, 'a banana surfing', 'completed', '9:16', '2K', NULL, '[]', @png_base64, NULL, NULL,
               '{"model": "gemini-2.5-flash-image", "usageMetadata": {"totalTokenCount": 1290}}', 42, 0,
               now() - interval '3 days', now() - interval '3 days', now() - interval '3 days' + interval '42 seconds'),
              (@jpeg, @user, 'my face as a banana', 'completed', '1:1', '1K', 'data:image/png;base64,' || @png_base64, jsonb_build_array(@jpeg_base64),
               'data:image/jpeg;base64,' || @jpeg_base64, NULL, NULL, NULL, 30, 1,
               now() - interval '2 days', now() - interval '2 days', NULL),
              (@url, @user, 'banana in space', 'completed', 'weird', '2K', NULL, '[]', NULL, @image_url, NULL, NULL, 15, 0,
               now() - interval '1 day', now() - interval '1 day', now() - interval '1 day' + interval '15 seconds'),
              (@safety, @user, 'something unsafe', 'failed', '9:16', '2K', NULL, '[]', NULL, NULL,
               'Image generation blocked: finishReason IMAGE_SAFETY', NULL, NULL, 2, now() - interval '20 hours', now() - interval '20 hours', now() - interval '20 hours'),
              (@timeout, @user, 'slow banana', 'failed', '9:16', '2K', NULL, '[]', NULL, NULL,
               'Request timed out after 3 attempts', NULL, NULL, 0, now() - interval '10 hours', now() - interval '10 hours', NULL),
              (@stuck, @user, 'lost banana', 'processing', '9:16', '2K', NULL, '[]', NULL, NULL, NULL, NULL, NULL, 0,
               now() - interval '2 hours', now() - interval '2 hours', NULL),
              (@running, @user, 'banana right now', 'processing', '9:16', '2K', NULL, '[]', NULL, NULL, NULL, NULL, NULL, 0,
               now() - interval '5 minutes', now() - interval '5 minutes', NULL),
              (@other_row, @other, 'bob''s banana', 'completed', '9:16', '2K', NULL, '[]', @png_base64, NULL, NULL, NULL, 12, 0,
               now() - interval '1 hour', now() - interval '1 hour', now() - interval '59 minutes');
            """, source);
        seed.Parameters.AddWithValue("user", _user);
        seed.Parameters.AddWithValue("other", _otherUser);
        seed.Parameters.AddWithValue("key", PlainTextKey);
        seed.Parameters.AddWithValue("png_base64", Convert.ToBase64String(TestImages.Png));
        seed.Parameters.AddWithValue("jpeg_base64", Convert.ToBase64String(TestImages.Jpeg));
        seed.Parameters.AddWithValue("image_url", _imageUrl);
        seed.Parameters.AddWithValue("png", _rows["png"]);
        seed.Parameters.AddWithValue("jpeg", _rows["jpegWithInputs"]);
        seed.Parameters.AddWithValue("url", _rows["url"]);
        seed.Parameters.AddWithValue("safety", _rows["safety"]);
        seed.Parameters.AddWithValue("timeout", _rows["timeout"]);
        seed.Parameters.AddWithValue("stuck", _rows["stuck"]);
        seed.Parameters.AddWithValue("running", _rows["running"]);
        seed.Parameters.AddWithValue("other_row", _rows["otherUser"]);
        await seed.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        File.Delete(_settingsFile);
        await _imageHost.DisposeAsync();
        await _app.DisposeAsync();
        await _target.DisposeAsync();
        await _originalDatabase.DisposeAsync();
    }
}
