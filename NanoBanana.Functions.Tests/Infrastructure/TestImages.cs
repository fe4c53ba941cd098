namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Small real images (and something that is not one) for request bodies.</summary>
internal static class TestImages
{
    /// <summary>A valid 1x1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>JPEG's SOI + APP0 (JFIF) header, which is what identifies a JPEG.</summary>
    public static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    /// <summary>An iPhone-style HEIC's start: an ISO BMFF ftyp box (major brand heic, compatible mif1 and heic), then a box.</summary>
    public static readonly byte[] Heic =
    [
        0x00, 0x00, 0x00, 0x18, .. "ftypheic"u8, 0x00, 0x00, 0x00, 0x00, .. "mif1heic"u8,
        0x00, 0x00, 0x00, 0x10, .. "meta"u8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    /// <summary>A HEIF with only the generic image brand (no HEVC brand).</summary>
    public static readonly byte[] Heif = [0x00, 0x00, 0x00, 0x14, .. "ftypmif1"u8, 0x00, 0x00, 0x00, 0x00, .. "mif1"u8, 0x00, 0x00, 0x00, 0x08];

    /// <summary>AVIF: HEIF's container and mif1 brand, but not an input Gemini takes.</summary>
    public static readonly byte[] Avif = [0x00, 0x00, 0x00, 0x1C, .. "ftypavif"u8, 0x00, 0x00, 0x00, 0x00, .. "avifmif1miaf"u8, 0x00, 0x00, 0x00, 0x08];

    public static readonly byte[] NotAnImage = "%PDF-1.7 this is not an image"u8.ToArray();

    public static object Part(string mimeType, byte[] data) => new { mimeType, data = Convert.ToBase64String(data) };
}
