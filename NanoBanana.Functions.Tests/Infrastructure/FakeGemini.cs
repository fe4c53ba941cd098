using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Gemini.Models;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1) that answers like Gemini: generateContent on both the
/// Developer and the Vertex paths, and an OAuth token endpoint for service-account sign-in. Each
/// request takes the next scripted reply (or <see cref="Default"/>) and is recorded.
/// </summary>
internal sealed class FakeGemini : IAsyncDisposable
{
    public const string AccessToken = "ya29.fake-vertex-access-token";

    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private WebApplication _app = null!;

    public string BaseUrl { get; private set; } = "";

    /// <summary>generateContent requests, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<RecordedRequest> TokenRequests { get; } = new();

    /// <summary>GETs of a model itself (the retirement guard's lookups), kept apart from generateContent.</summary>
    public ConcurrentQueue<RecordedRequest> ModelLookups { get; } = new();

    /// <summary>Models to answer 404 NOT_FOUND for, as Google does once it retires one (besides those the catalog lists as shut down).</summary>
    public ConcurrentDictionary<string, bool> RetiredModels { get; } = new(StringComparer.Ordinal);

    public Func<HttpContext, Task> Default { get; set; } = GeminiReplies.Image(TestImages.Png);

    /// <summary>The Files API and Batch API (the economy lane's), kept apart from generateContent.</summary>
    public FakeGeminiBatch Batch { get; } = new();

    /// <summary>What the fileData URLs of generateContent requests answered when fetched, as Google fetches them.</summary>
    public ConcurrentQueue<FetchedFile> FetchedFiles { get; } = new();

    /// <summary>
    /// For memory measurements in this process: a request body over 1 MB is read and dropped, not kept,
    /// and a fetched file is counted, not kept, so the fake adds no copy of what it is sent.
    /// </summary>
    public bool DropLargeBodies { get; set; }

    private const int LargeBody = 1024 * 1024;

    private static readonly HttpClient Fetcher = new();

    public static async Task<FakeGemini> StartAsync()
    {
        var fake = new FakeGemini();
        (fake._app, fake.BaseUrl) = await LoopbackServer.StartAsync(app => app.Run(fake.HandleAsync));
        return fake;
    }

    public void Enqueue(params Func<HttpContext, Task>[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(DropLargeBodies && context.Request.ContentLength > LargeBody ? Stream.Null : body);
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray());

        if (context.Request.Path == "/token")
        {
            TokenRequests.Enqueue(recorded);
            await context.Response.WriteAsJsonAsync(new { access_token = AccessToken, expires_in = 3600, token_type = "Bearer" });
            return;
        }

        if (await Batch.TryHandleAsync(context, recorded))
        {
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && ModelOf(context.Request.Path) is { } looked)
        {
            ModelLookups.Enqueue(recorded);
            await (IsRetired(looked)
                ? GeminiReplies.Error(404, "NOT_FOUND", $"models/{looked} is not found for API version v1beta.")
                : GeminiReplies.Json(200, new { name = $"models/{looked}", supportedGenerationMethods = new[] { "generateContent" } }))(context);
            return;
        }

        Requests.Enqueue(recorded);
        context.Items[typeof(RecordedRequest)] = recorded; // replies may look at what was asked
        if (await FetchFilesAsync(recorded) is { } unfetchable)
        {
            // Google answers a URL it cannot read with 400 INVALID_ARGUMENT.
            await GeminiReplies.Error(400, "INVALID_ARGUMENT", $"Cannot fetch content from the provided URL: {unfetchable}.")(context);
            return;
        }

        var reply = ModelOf(context.Request.Path) is { } model && IsRetired(model)
            && (context.Request.Path.Value!.EndsWith(":generateContent", StringComparison.Ordinal) || context.Request.Path.Value!.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
            ? GeminiReplies.Error(404, "NOT_FOUND", $"models/{model} is not found for API version v1beta, or is not supported for generateContent.")
            : _script.TryDequeue(out var next) ? next : Default;
        if (!context.Request.Path.Value!.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
        {
            await reply(context);
            return;
        }

        // A reply written for generateContent, asked for as a stream: one event, as Google sends a one-chunk answer.
        var responseBody = context.Response.Body;
        var framing = new SseFramingStream(context.Response, responseBody);
        context.Response.OnStarting(() =>
        {
            // Headers go out before the first byte: a successful answer is an event stream, an error stays JSON.
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                context.Response.ContentType = "text/event-stream";
                context.Response.ContentLength = null; // the framing adds to what the reply counted
            }

            return Task.CompletedTask;
        });
        context.Response.Body = framing;
        try
        {
            await reply(context);
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.BodyWriter.FlushAsync(); // what the reply wrote, before the event's end
                await framing.CompleteAsync();
            }
        }
        finally
        {
            context.Response.Body = responseBody;
        }
    }

    // Every fileData part is fetched with a plain GET, no credentials but the URL's own (a SAS), as Google does.
    private async Task<string?> FetchFilesAsync(RecordedRequest recorded)
    {
        if (!HttpMethods.IsPost(recorded.Method) || recorded.Body.Length == 0 || !recorded.Json.TryGetProperty("contents", out var contents))
        {
            return null;
        }

        foreach (var part in contents.EnumerateArray().SelectMany(c => c.GetProperty("parts").EnumerateArray()))
        {
            if (!part.TryGetProperty("fileData", out var file))
            {
                continue;
            }

            var uri = file.GetProperty("fileUri").GetString()!;
            using var response = await Fetcher.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                return $"{(int)response.StatusCode}";
            }

            var mimeType = file.GetProperty("mimeType").GetString()!;
            if (DropLargeBodies)
            {
                await using var content = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[81920];
                long length = 0;
                for (int read; (read = await content.ReadAsync(buffer)) > 0;)
                {
                    length += read;
                }

                FetchedFiles.Enqueue(new FetchedFile(new Uri(uri), mimeType, [], length));
                continue;
            }

            var bytes = await response.Content.ReadAsByteArrayAsync();
            FetchedFiles.Enqueue(new FetchedFile(new Uri(uri), mimeType, bytes, bytes.Length));
        }

        return null;
    }

    /// <summary>As Google does: an id it has shut down answers 404 NOT_FOUND, whatever the script says.</summary>
    private bool IsRetired(string model) =>
        RetiredModels.ContainsKey(model) || ModelCatalog.Embedded.Find(model) is { Status: ModelStatus.ShutDown };

    /// <summary>The model of .../models/{id} or .../models/{id}:action.</summary>
    private static string? ModelOf(PathString path)
    {
        var value = path.Value ?? "";
        var start = value.LastIndexOf("/models/", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var id = value[(start + "/models/".Length)..];
        var colon = id.IndexOf(':');
        return colon >= 0 ? id[..colon] : id;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A fileData URL as fetched: its content (empty when <see cref="FakeGemini.DropLargeBodies"/>) and length.</summary>
internal sealed record FetchedFile(Uri Uri, string MimeType, byte[] Content, long Length);

internal sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The prompt of a generateContent request (its last text part).</summary>
    public string Prompt => Json.GetProperty("contents")[0].GetProperty("parts").EnumerateArray()
        .Last(p => p.TryGetProperty("text", out _)).GetProperty("text").GetString()!;
}
