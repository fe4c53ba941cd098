namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Small real images (and something that is not one) for request bodies.</summary>
internal static class TestImages
{
    /// <summary>A valid 1x1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>JPEG's SOI + APP0 (JFIF) header, which is what identifies a JPEG.</summary>
    public static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    public static readonly byte[] NotAnImage = "%PDF-1.7 this is not an image"u8.ToArray();

    public static object Part(string mimeType, byte[] data) => new { mimeType, data = Convert.ToBase64String(data) };
}
