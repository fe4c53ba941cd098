using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Writes a small RGB PNG (a diagonal gradient from one colour) for the simulated backend.
/// Hand-written on purpose: PNG is three chunks over zlib, not worth an imaging dependency.
/// </summary>
internal static class TinyPng
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Gradient(int width, int height, byte red, byte green, byte blue)
    {
        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bits per channel
        header[9] = 2; // colour type: RGB
        WriteChunk(png, "IHDR", header);

        using (var pixels = new MemoryStream())
        {
            using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
            {
                var row = new byte[1 + width * 3];
                for (var y = 0; y < height; y++)
                {
                    row[0] = 0; // filter: none
                    for (var x = 0; x < width; x++)
                    {
                        var shade = (x + y) * 255 / Math.Max(1, width + height - 2);
                        row[1 + x * 3] = (byte)((red + shade) / 2);
                        row[2 + x * 3] = (byte)((green + shade) / 2);
                        row[3 + x * 3] = (byte)((blue + 255 - shade) / 2);
                    }

                    zlib.Write(row);
                }
            }

            WriteChunk(png, "IDAT", pixels.ToArray());
        }

        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);

        var typeBytes = Encoding.ASCII.GetBytes(type);
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, crc.GetCurrentHashAsUInt32());
        png.Write(number);
    }
}
