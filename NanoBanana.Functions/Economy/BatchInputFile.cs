using System.Text;
using System.Text.Json;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Batch;
using NanoBanana.Functions.Gemini.Wire;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// A job's JSONL input: one line per generation, <c>{"key": "&lt;generation id&gt;", "request": GenerateContentRequest}</c>,
/// the request as the worker would send it (prompt, aspect ratio, a size the model takes). The key is how a
/// results line finds its generation again, whatever order Google writes them in.
/// </summary>
internal static class BatchInputFile
{
    public static byte[] Build(List<(Guid Id, string Prompt, GenerationOptions Options)> requests, string model, GeminiOptions gemini)
    {
        var spec = gemini.Spec(model);
        var builder = new StringBuilder();
        foreach (var (id, prompt, options) in requests)
        {
            var size = options.Resolution is { } resolution && spec.ImageSizes.Contains(resolution) ? resolution : null;
            var imageConfig = options.AspectRatio is null && size is null ? null : new ImageConfig(options.AspectRatio, size);
            var request = new GenerateContentRequest([new Content("user", [new Part(Text: prompt)])], new GenerationConfig(["TEXT", "IMAGE"], imageConfig));
            builder.Append(JsonSerializer.Serialize(new BatchRequestLine(id.ToString("D"), request), GeminiJson.Options)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
