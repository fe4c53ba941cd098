using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Gemini.Wire;

/// <summary>
/// Base64 decoded straight from the JSON's UTF-8 bytes into an array of exactly the image's size.
/// System.Text.Json's own byte[] converter first copies a value that spans several buffer segments
/// into one array, then decodes into a pooled buffer as long as the text and copies the result out:
/// for a 20 MB image, some 80 MB more than the image itself.
/// </summary>
internal sealed class Base64BytesConverter : JsonConverter<byte[]>
{
    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("Expected base64 text.");
        }

        if (reader.ValueIsEscaped)
        {
            return reader.GetBytesFromBase64(); // JSON escapes inside base64: unusual enough for the library's way
        }

        return reader.HasValueSequence ? Decode(reader.ValueSequence) : Decode(reader.ValueSpan);
    }

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => writer.WriteBase64StringValue(value);

    private static byte[] Decode(ReadOnlySpan<byte> text)
    {
        if (WholeQuads(text.Length) == 0)
        {
            return [];
        }

        var decoded = Allocate(text[^4..], text.Length);
        var written = DecodeBlock(text[..^4], decoded, isFinalBlock: false);
        return Finish(text[^4..], decoded, written);
    }

    private static byte[] Decode(ReadOnlySequence<byte> text)
    {
        if (WholeQuads(text.Length) == 0)
        {
            return [];
        }

        Span<byte> last = stackalloc byte[4];
        text.Slice(text.Length - 4).CopyTo(last);
        var decoded = Allocate(last, text.Length);
        return Finish(last, decoded, DecodeQuads(text.Slice(0, text.Length - 4), decoded));
    }

    private static long WholeQuads(long length) =>
        length % 4 == 0 && length <= int.MaxValue ? length / 4 : throw Invalid();

    // Padding can only be in the last quad, so everything before it decodes as a stream of whole quads.
    private static byte[] Allocate(ReadOnlySpan<byte> last, long length)
    {
        var padding = last[3] == '=' ? last[2] == '=' ? 2 : 1 : 0;
        return new byte[length / 4 * 3 - padding];
    }

    private static byte[] Finish(ReadOnlySpan<byte> last, byte[] decoded, int written)
    {
        written += DecodeBlock(last, decoded.AsSpan(written), isFinalBlock: true);
        return written == decoded.Length ? decoded : throw Invalid();
    }

    private static int DecodeQuads(ReadOnlySequence<byte> quads, Span<byte> output)
    {
        Span<byte> carried = stackalloc byte[4];
        int carriedLength = 0, written = 0;
        foreach (var segment in quads)
        {
            var input = segment.Span;
            if (carriedLength > 0)
            {
                var take = Math.Min(4 - carriedLength, input.Length);
                input[..take].CopyTo(carried[carriedLength..]);
                carriedLength += take;
                input = input[take..];
                if (carriedLength < 4)
                {
                    continue;
                }

                written += DecodeBlock(carried, output[written..], isFinalBlock: false);
                carriedLength = 0;
            }

            var whole = input.Length & ~3;
            written += DecodeBlock(input[..whole], output[written..], isFinalBlock: false);
            input[whole..].CopyTo(carried);
            carriedLength = input.Length - whole;
        }

        return written;
    }

    private static int DecodeBlock(ReadOnlySpan<byte> base64, Span<byte> output, bool isFinalBlock)
    {
        var status = Base64.DecodeFromUtf8(base64, output, out var consumed, out var written, isFinalBlock);
        return status == OperationStatus.Done && consumed == base64.Length ? written : throw Invalid();
    }

    private static JsonException Invalid() => new("The image data is not valid base64.");
}
