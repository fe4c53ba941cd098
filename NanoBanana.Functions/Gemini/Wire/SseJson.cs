using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace NanoBanana.Functions.Gemini.Wire;

/// <summary>
/// The JSON documents of a Server-Sent Events body (one per event's <c>data:</c>), each deserialized
/// where it lies in the pipe's pooled 1 MB segments, as <see cref="BufferedJson"/> reads a whole body.
/// Written by hand because a line-buffering parser (System.Net.ServerSentEvents) gathers each line in
/// one array that doubles: Gemini sends a final 20 MB image as one 27 MB <c>data:</c> line, and the
/// doubling cost the worker 84 MB for it where the unstreamed call costs 49 MB (docs/PERFORMANCE.md).
/// Lines end in LF or CRLF (Google's framing); <c>event:</c>, <c>id:</c>, <c>retry:</c> and comments are
/// ignored; an event the body ends in the middle of is dropped, as the SSE rules say.
/// </summary>
internal static class SseJson
{
    private const int SegmentBytes = 1024 * 1024;

    public static async IAsyncEnumerable<T?> ReadAsync<T>(Stream body, JsonSerializerOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var pipe = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: SegmentBytes, minimumReadSize: SegmentBytes / 4, leaveOpen: true));
        try
        {
            // Offsets from the start of the unconsumed buffer (the start of the event being read): where the
            // next line starts, how far it has been searched for its end, and the event's data lines so far.
            long lineStart = 0, searched = 0;
            var data = new List<(long Start, long Length)>();
            var ready = new List<T?>();
            while (true)
            {
                var read = await pipe.ReadAsync(ct);
                var buffer = read.Buffer;
                long consumed = 0;
                while (buffer.Slice(searched).PositionOf((byte)'\n') is { } newline)
                {
                    var lineEnd = buffer.Slice(0, newline).Length;
                    var line = buffer.Slice(lineStart, lineEnd - lineStart);
                    if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
                    {
                        line = line.Slice(0, line.Length - 1);
                    }

                    if (line.Length == 0)
                    {
                        // A blank line ends the event: its data, if any, is one document.
                        if (data.Count > 0)
                        {
                            ready.Add(Deserialize<T>(buffer, data, options));
                            data.Clear();
                        }

                        consumed = lineEnd + 1;
                    }
                    else if (DataOffset(line) is { } offset)
                    {
                        data.Add((lineStart + offset, line.Length - offset));
                    }

                    lineStart = searched = lineEnd + 1;
                }

                searched = buffer.Length;
                pipe.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                (lineStart, searched) = (lineStart - consumed, searched - consumed);
                for (var i = 0; i < data.Count; i++)
                {
                    data[i] = (data[i].Start - consumed, data[i].Length);
                }

                foreach (var document in ready)
                {
                    yield return document;
                }

                ready.Clear();
                if (read.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await pipe.CompleteAsync();
        }
    }

    // "data:" then an optional space; null for any other field or a comment.
    private static int? DataOffset(ReadOnlySequence<byte> line)
    {
        Span<byte> head = stackalloc byte[6];
        var length = (int)Math.Min(line.Length, head.Length);
        line.Slice(0, length).CopyTo(head);
        if (!head[..Math.Min(length, 5)].SequenceEqual("data:"u8))
        {
            return null;
        }

        return length == 6 && head[5] == (byte)' ' ? 6 : 5;
    }

    private static T? Deserialize<T>(ReadOnlySequence<byte> buffer, List<(long Start, long Length)> lines, JsonSerializerOptions options)
    {
        if (lines.Count == 1)
        {
            var reader = new Utf8JsonReader(buffer.Slice(lines[0].Start, lines[0].Length));
            return JsonSerializer.Deserialize<T>(ref reader, options);
        }

        // Several data lines are one document joined by LF (rare: Google sends one line per event).
        var joined = new ArrayBufferWriter<byte>();
        foreach (var (start, length) in lines)
        {
            if (joined.WrittenCount > 0)
            {
                joined.Write("\n"u8);
            }

            foreach (var segment in buffer.Slice(start, length))
            {
                joined.Write(segment.Span);
            }
        }

        return JsonSerializer.Deserialize<T>(joined.WrittenSpan, options);
    }
}
