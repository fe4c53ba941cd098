using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace NanoBanana.Functions.Gemini.Wire;

/// <summary>
/// A JSON body read whole into pooled 1 MB segments, then deserialized in one pass. Deserializing the
/// stream directly keeps a token (a 27 MB base64 image) in one array that doubles and is copied each
/// time it is too small; here the segments are only chained, and <see cref="Base64BytesConverter"/>
/// decodes across them.
/// </summary>
internal static class BufferedJson
{
    // Large-object-heap sized: a 27 MB body is some thirty arrays that the GC never copies, where 64 KB
    // segments would be four hundred that it promotes generation by generation.
    private const int SegmentBytes = 1024 * 1024;

    public static async Task<T?> DeserializeAsync<T>(Stream body, JsonSerializerOptions options, CancellationToken ct)
    {
        var pipe = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: SegmentBytes, minimumReadSize: SegmentBytes / 4, leaveOpen: true));
        try
        {
            ReadResult read;
            while (!(read = await pipe.ReadAsync(ct)).IsCompleted)
            {
                pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End); // nothing consumed yet: keep it all, read more
            }

            var value = Deserialize<T>(read.Buffer, options);
            pipe.AdvanceTo(read.Buffer.End);
            return value;
        }
        finally
        {
            await pipe.CompleteAsync();
        }
    }

    private static T? Deserialize<T>(ReadOnlySequence<byte> json, JsonSerializerOptions options)
    {
        var reader = new Utf8JsonReader(json);
        return JsonSerializer.Deserialize<T>(ref reader, options);
    }
}
