using System.Text;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>One Server-Sent Event as a client sees it; a comment (heartbeat) has only <see cref="Comment"/>.</summary>
internal sealed record SseFrame(string? Id, string? Event, string? Data, string? Comment, int? Retry);

/// <summary>A minimal SSE parser (the WHATWG rules the tests rely on: fields per line, a blank line ends a frame).</summary>
internal sealed class SseReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next frame, or null at the end of the stream.</summary>
    public async Task<SseFrame?> NextAsync(CancellationToken ct = default)
    {
        string? id = null, kind = null, data = null, comment = null;
        int? retry = null;
        var any = false;
        while (await _reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseFrame(id, kind, data, comment, retry);
                }

                continue;
            }

            any = true;
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "": comment = value; break;
                case "id": id = value; break;
                case "event": kind = value; break;
                case "data": data = data is null ? value : data + "\n" + value; break;
                case "retry": retry = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }

        return null;
    }

    /// <summary>Every frame to the end of the stream.</summary>
    public static async Task<List<SseFrame>> ReadAllAsync(byte[] body)
    {
        var reader = new SseReader(new MemoryStream(body));
        var frames = new List<SseFrame>();
        while (await reader.NextAsync() is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }
}
