using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// Gemini's answer with an image, its bytes made once: under load the fake then only copies them to
/// the socket, and the benchmark measures the app, not the fake (the control server's default makes
/// a distinct PNG per call, which the browser tests need and a benchmark does not).
/// </summary>
internal static class InstantGemini
{
    public static Func<HttpContext, Task> Answer(byte[] image)
    {
        var body = Body(image);
        return async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            // In slices, as a server streams: one write of it all would copy all of it into Kestrel's
            // buffers first, and in this process that would count as the worker's memory.
            for (var offset = 0; offset < body.Length; offset += 64 * 1024)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(64 * 1024, body.Length - offset)));
            }
        };
    }

    /// <summary>generateContent's answer: some words and the image, base64.</summary>
    public static byte[] Body(byte[] image) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            candidates = new[]
            {
                new
                {
                    content = new { role = "model", parts = new object[] { new { text = "Here is your image" }, new { inlineData = new { mimeType = "image/png", data = image } } } },
                    finishReason = "STOP",
                },
            },
        });
}
