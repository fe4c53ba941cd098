using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Replies in Gemini's wire format, good and bad, for <see cref="FakeGemini"/>.</summary>
internal static class GeminiReplies
{
    public static Func<HttpContext, Task> Json(int status, object body, IDictionary<string, string>? headers = null) => async context =>
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body as string ?? JsonSerializer.Serialize(body));
    };

    public static Func<HttpContext, Task> Image(byte[] image, string mimeType = "image/png", string? text = "Here is your image") =>
        Json(200, new
        {
            candidates = new[]
            {
                new
                {
                    content = new
                    {
                        role = "model",
                        parts = text is null
                            ? new object[] { new { inlineData = new { mimeType, data = Convert.ToBase64String(image) } } }
                            : new object[] { new { text }, new { inlineData = new { mimeType, data = Convert.ToBase64String(image) } } },
                    },
                    finishReason = "STOP",
                    index = 0,
                },
            },
            usageMetadata = new { promptTokenCount = 17, candidatesTokenCount = 1290, totalTokenCount = 1307 },
            modelVersion = "gemini-3.1-flash-image",
            responseId = "fake-response",
        });

    /// <summary>A large image written straight to the response stream, as Gemini streams its bytes.</summary>
    public static Func<HttpContext, Task> LargeImage(byte[] image) => async context =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"candidates":[{"content":{"role":"model","parts":[{"inlineData":{"mimeType":"image/png","data":""" + "\"");
        const int Chunk = 3 * 256 * 1024; // a multiple of 3, so each chunk encodes without padding
        for (var offset = 0; offset < image.Length; offset += Chunk)
        {
            var base64 = Convert.ToBase64String(image, offset, Math.Min(Chunk, image.Length - offset));
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(base64));
        }

        await context.Response.WriteAsync("\"}}]},\"finishReason\":\"STOP\"}]}");
    };

    public static Func<HttpContext, Task> FinishReason(string reason, string? text = null) => Json(200, new
    {
        candidates = new[]
        {
            new { content = new { role = "model", parts = text is null ? Array.Empty<object>() : new object[] { new { text } } }, finishReason = reason, index = 0 },
        },
    });

    public static Func<HttpContext, Task> BlockReason(string reason) =>
        Json(200, new { candidates = Array.Empty<object>(), promptFeedback = new { blockReason = reason } });

    public static Func<HttpContext, Task> Error(int status, string googleStatus, string message, params object[] details) =>
        Json(status, new { error = new { code = status, message, status = googleStatus, details } });

    public static object RetryInfo(string delay) => new Dictionary<string, object>
    {
        ["@type"] = "type.googleapis.com/google.rpc.RetryInfo",
        ["retryDelay"] = delay,
    };

    public static object QuotaFailure(string quotaId) => new Dictionary<string, object>
    {
        ["@type"] = "type.googleapis.com/google.rpc.QuotaFailure",
        ["violations"] = new[] { new { quotaId } },
    };

    public static object ErrorInfo(string reason) => new Dictionary<string, object>
    {
        ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
        ["reason"] = reason,
        ["domain"] = "googleapis.com",
    };

    public static Func<HttpContext, Task> Html(int status) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>");
    };

    /// <summary>Starts a valid-looking body, then drops the connection.</summary>
    public static Func<HttpContext, Task> ResetMidBody() => async context =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo""" + "\"");
        await context.Response.Body.FlushAsync();
        context.Abort();
    };

    public static Func<HttpContext, Task> Delayed(TimeSpan delay, Func<HttpContext, Task> then) => async context =>
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // the client gave up first, which is the point
        }

        await then(context);
    };

    /// <summary>
    /// A thinking model's streamGenerateContent answer: a thought in words, then each draft as a
    /// <c>thought: true</c> image (flushed, so the worker sees it at once), then, once <paramref name="gate"/>
    /// opens, the final image with its finish reason and usage; with <paramref name="cutBeforeFinal"/> the
    /// connection drops there instead.
    /// </summary>
    public static Func<HttpContext, Task> Thinking(
        IReadOnlyList<byte[]> drafts, byte[] final, Task? gate = null, TaskCompletionSource? draftsSent = null, bool cutBeforeFinal = false) =>
        async context =>
        {
            SseFramingStream.WritesItsOwnEvents(context);
            context.Response.ContentType = "text/event-stream";
            async Task ChunkAsync(object chunk)
            {
                await context.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\r\n\r\n");
                await context.Response.Body.FlushAsync();
            }

            static object Parts(params object[] parts) => new { candidates = new[] { new { content = new { role = "model", parts }, index = 0 } } };
            await ChunkAsync(Parts(new { text = "**Composing** a banana, then the light.", thought = true }));
            foreach (var draft in drafts)
            {
                await ChunkAsync(Parts(new { inlineData = new { mimeType = "image/png", data = Convert.ToBase64String(draft) }, thought = true }));
            }

            draftsSent?.TrySetResult();
            await (gate ?? Task.CompletedTask).WaitAsync(context.RequestAborted);
            if (cutBeforeFinal)
            {
                context.Abort();
                return;
            }

            await ChunkAsync(new
            {
                candidates = new[]
                {
                    new
                    {
                        content = new { role = "model", parts = new object[] { new { text = "Here is your image" }, new { inlineData = new { mimeType = "image/png", data = Convert.ToBase64String(final) } } } },
                        finishReason = "STOP",
                        index = 0,
                    },
                },
                usageMetadata = new { promptTokenCount = 17, candidatesTokenCount = 2600, totalTokenCount = 2617 },
                modelVersion = "gemini-3.1-flash-image",
                responseId = "fake-streamed-response",
            });
        };

    /// <summary>Holds the answer until the test opens the gate; signals when the call has arrived.</summary>
    public static Func<HttpContext, Task> Held(TaskCompletionSource arrived, Task gate, Func<HttpContext, Task> then) => async context =>
    {
        arrived.TrySetResult();
        await gate;
        await then(context);
    };

    /// <summary>Never answers; signals when the call arrives and when the client gives up on it (aborts the request).</summary>
    public static Func<HttpContext, Task> Hanging(TaskCompletionSource arrived, TaskCompletionSource abandoned) => async context =>
    {
        arrived.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            abandoned.TrySetResult();
        }
    };
}
