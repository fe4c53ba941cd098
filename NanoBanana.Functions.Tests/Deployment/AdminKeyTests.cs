using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// scripts/admin.sh sends the function app's master key to the app, but never on a command line, where
/// any user of the machine reads it in `ps`: a curl stand-in on PATH records every argument it is given.
/// </summary>
public sealed class AdminKeyTests
{
    private const string MasterKey = "master-key-0123456789-abcdefghijklmnop";

    [Fact]
    public async Task Admin_SendsTheKeyFromTheEnvironment_NeverOnCurlsCommandLine()
    {
        await using var harness = await Harness.StartAsync();

        var verify = await harness.AdminAsync(new() { ["NANOBANANA_ADMIN_KEY"] = MasterKey });

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal([MasterKey], harness.KeysReceived);
        Assert.DoesNotContain(MasterKey, harness.CurlArguments());
    }

    [Fact]
    public async Task Admin_ReadsTheKeyFromAFile_NeverOnCurlsCommandLine()
    {
        await using var harness = await Harness.StartAsync();
        var keyFile = Path.Combine(harness.Folder.FullName, "master-key");
        await File.WriteAllTextAsync(keyFile, MasterKey + "\n");

        var verify = await harness.AdminAsync(new() { ["NANOBANANA_ADMIN_KEY_FILE"] = keyFile });

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal([MasterKey], harness.KeysReceived);
        Assert.DoesNotContain(MasterKey, harness.CurlArguments());
    }

    [Fact]
    public async Task Admin_Refuses_AKeyFileThatDoesNotExist()
    {
        await using var harness = await Harness.StartAsync();

        var verify = await harness.AdminAsync(new() { ["NANOBANANA_ADMIN_KEY_FILE"] = "/nonexistent/master-key" });

        Assert.Equal(2, verify.ExitCode);
        Assert.Contains("NANOBANANA_ADMIN_KEY_FILE", verify.Error);
        Assert.Empty(harness.KeysReceived);
    }

    private sealed class Harness : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _baseUrl;
        private readonly ConcurrentQueue<string> _keys;

        private Harness(WebApplication app, string baseUrl, ConcurrentQueue<string> keys, DirectoryInfo folder)
        {
            (_app, _baseUrl, _keys, Folder) = (app, baseUrl, keys, folder);
        }

        public DirectoryInfo Folder { get; }

        public IReadOnlyList<string> KeysReceived => [.. _keys];

        private string ArgumentLog => Path.Combine(Folder.FullName, "curl-arguments");

        public static async Task<Harness> StartAsync()
        {
            var keys = new ConcurrentQueue<string>();
            var (app, baseUrl) = await LoopbackServer.StartAsync(web => web.MapGet("/api/maintenance/verify-database", (HttpRequest request) =>
            {
                keys.Enqueue(request.Headers["x-functions-key"].ToString());
                return Results.Json(new { healthy = true, checks = Array.Empty<object>() });
            }));
            var folder = Directory.CreateTempSubdirectory("nanobanana-admin-");
            var realCurl = (await ProcessRunner.RunAsync("bash", ["-c", "command -v curl"])).Output.Trim();
            var shim = Path.Combine(folder.FullName, "curl");
            await File.WriteAllTextAsync(shim, $"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{Path.Combine(folder.FullName, "curl-arguments")}'\nexec '{realCurl}' \"$@\"\n");
            await ProcessRunner.RunAsync("chmod", ["+x", shim]);
            return new Harness(app, baseUrl, keys, folder);
        }

        public Task<ProcessRunner.Result> AdminAsync(Dictionary<string, string?> environment)
        {
            environment["NANOBANANA_API_URL"] = _baseUrl + "/api";
            environment["PATH"] = Folder.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
            return ProcessRunner.RunScriptAsync(["scripts", "admin.sh"], ["verify"], environment);
        }

        public string CurlArguments() => File.Exists(ArgumentLog) ? File.ReadAllText(ArgumentLog) : "";

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            Folder.Delete(recursive: true);
        }
    }
}
