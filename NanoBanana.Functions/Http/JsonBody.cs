using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Http;

/// <summary>Reads a JSON request body: content type checked, size capped while reading, errors as 4xx.</summary>
public static class JsonBody
{
    /// <param name="maxFieldBytes">The cap on the body's JSON apart from base64 payloads (<see cref="RequestShape"/>).</param>
    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken ct, int? maxFieldBytes = null)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            throw Problems.UnsupportedMediaType();
        }

        if (request.ContentLength > maxBytes)
        {
            throw Problems.PayloadTooLarge(maxBytes);
        }

        var body = await ReadCappedAsync(request.Body, maxBytes, ct);
        RequestShape.Check(body.Span, ApiJson.Options.GetTypeInfo(typeof(T)), maxFieldBytes ?? maxBytes);
        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, ApiJson.Options)
                   ?? throw Problems.Invalid("$", ProblemCodes.InvalidJson, "The request body must be a JSON object, not null.");
        }
        catch (JsonException exception)
        {
            throw FromJsonException(exception);
        }
    }

    /// <summary>The body's bytes as sent, capped like a JSON body's (for a signature over the raw body, read before any parse).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadRawAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw Problems.PayloadTooLarge(maxBytes);
        }

        return await ReadCappedAsync(request.Body, maxBytes, ct);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    // Chunked bodies have no Content-Length, so the cap is enforced on the bytes actually read. The
    // buffer grows as bytes arrive: sized from a declared Content-Length, a client that declares 30 MB
    // and sends one byte would hold 30 MB of memory for as long as it keeps the request open.
    private static async Task<ReadOnlyMemory<byte>> ReadCappedAsync(Stream body, int maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream(16 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw Problems.PayloadTooLarge(maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    // System.Text.Json reports where it stopped (Path) but not why in a typed way; turn the
    // common cases into field errors the client can act on.
    private static ApiProblemException FromJsonException(JsonException exception)
    {
        var path = exception.Path ?? "$";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        if (field.StartsWith("images[", StringComparison.Ordinal) && field.EndsWith(".data", StringComparison.Ordinal))
        {
            return Problems.Invalid(field, ProblemCodes.InvalidImageData, $"{field} must be standard base64 (no data: URL prefix, no line breaks).");
        }

        var where = exception.LineNumber is { } line ? $" (line {line + 1}, byte {exception.BytePositionInLine + 1})" : "";
        return field == "$"
            ? Problems.Invalid(field, ProblemCodes.InvalidJson, $"The request body is not valid JSON{where}.")
            : Problems.Invalid(field, ProblemCodes.InvalidJson, $"{field} has the wrong JSON type or is malformed{where}.");
    }
}
