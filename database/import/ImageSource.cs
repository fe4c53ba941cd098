using System.Net.Sockets;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Outbound;

namespace NanoBanana.Import;

/// <summary>What loading one image reference gave: its bytes, or why not and whether a later run may do better.</summary>
internal sealed record ImageLoad(byte[]? Bytes, string? Problem, bool TryLater)
{
    public static ImageLoad Loaded(byte[] bytes) => new(bytes, null, false);

    /// <summary>Never usable (not an image, not an address the importer may fetch): the image is left out.</summary>
    public static ImageLoad LeftOut(string problem) => new(null, problem, false);

    /// <summary>Not reachable now: the generation waits for a later run.</summary>
    public static ImageLoad Later(string problem) => new(null, problem, true);
}

/// <summary>
/// The original kept images as base64 in the row (plain or as a data: URL) or as a URL to fetch.
/// The URLs come from a database, not from us: they are fetched only from public addresses (the app's
/// own SSRF guard, <see cref="OutboundTargets"/>, before the request and again on the address
/// connected to, no redirects), at most <see cref="MaxImageBytes"/>, and whatever arrives is kept
/// only when its bytes are a PNG, JPEG or WebP image, as for images sent to the API.
/// Hand-written: three spellings of where bytes are do not justify a library.
/// </summary>
internal sealed class ImageSource(HttpClient http, OutboundTargets targets)
{
    public const int MaxImageBytes = 32 * 1024 * 1024;

    public async Task<ImageLoad> LoadAsync(string reference, CancellationToken ct)
    {
        var text = reference.Trim();
        var load = text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? await FetchAsync(text, ct)
            : Decode(text);
        if (load.Bytes is not { } bytes)
        {
            return load;
        }

        return ImageSniffer.Detect(bytes) is null ? ImageLoad.LeftOut("not a PNG, JPEG or WebP image") : load;
    }

    private async Task<ImageLoad> FetchAsync(string text, CancellationToken ct)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            return ImageLoad.LeftOut("not a valid URL");
        }

        try
        {
            // A name that does not resolve now may resolve later; one that resolves somewhere private never will be fetched.
            if (await targets.RefusalAsync(url, ct) is { } refusal)
            {
                return ImageLoad.LeftOut($"URL refused: {refusal}");
            }
        }
        catch (SocketException exception)
        {
            return ImageLoad.Later($"{url.Host} does not resolve ({exception.SocketErrorCode})");
        }

        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                return ImageLoad.LeftOut($"{(int)response.StatusCode} from {url.Host}: redirects are not followed");
            }

            if (!response.IsSuccessStatusCode)
            {
                return ImageLoad.Later($"{(int)response.StatusCode} from {url.Host}");
            }

            if (response.Content.Headers.ContentLength > MaxImageBytes)
            {
                return ImageLoad.LeftOut($"larger than {MaxImageBytes / (1024 * 1024)} MB");
            }

            return await ReadBoundedAsync(response.Content, ct) is { } bytes
                ? ImageLoad.Loaded(bytes)
                : ImageLoad.LeftOut($"larger than {MaxImageBytes / (1024 * 1024)} MB");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return ImageLoad.Later($"{url.Host} unreachable ({exception.GetType().Name})");
        }
    }

    /// <summary>The body, or null once it passes the cap (a missing or false Content-Length cannot make it read more).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxImageBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ImageLoad Decode(string text)
    {
        var comma = text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? text.IndexOf(',') : -1;
        var base64 = comma >= 0 ? text[(comma + 1)..] : text;
        try
        {
            return ImageLoad.Loaded(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return ImageLoad.LeftOut("neither base64 nor an http(s) URL");
        }
    }
}
