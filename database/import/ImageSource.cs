namespace NanoBanana.Import;

/// <summary>
/// The original kept images as base64 in the row (plain or as a data: URL) or as a URL to fetch.
/// Hand-written: three spellings of where bytes are do not justify a library.
/// </summary>
internal sealed class ImageSource(HttpClient http)
{
    /// <summary>The bytes, or null with why they could not be had (a URL that did not answer: try again later).</summary>
    public async Task<(byte[]? Bytes, string? Problem)> LoadAsync(string reference, CancellationToken ct)
    {
        var text = reference.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var response = await http.GetAsync(text, ct);
                return response.IsSuccessStatusCode
                    ? (await response.Content.ReadAsByteArrayAsync(ct), null)
                    : (null, $"{(int)response.StatusCode} from {new Uri(text).Host}");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return (null, $"{new Uri(text).Host} unreachable ({exception.GetType().Name})");
            }
        }

        var comma = text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? text.IndexOf(',') : -1;
        var base64 = comma >= 0 ? text[(comma + 1)..] : text;
        try
        {
            return (Convert.FromBase64String(base64), null);
        }
        catch (FormatException)
        {
            return (null, "neither base64 nor an http(s) URL");
        }
    }
}
