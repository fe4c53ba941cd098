namespace NanoBanana.Functions.Generations;

/// <summary>
/// Tells PNG, JPEG, WebP and HEIC/HEIF (what a phone's camera writes) apart by their signatures, so an
/// image's type comes from its bytes and not from what the client declared. Hand-written: a few fixed
/// signatures and the ISO BMFF brand list do not justify an image library.
/// </summary>
public static class ImageSniffer
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Webp = "image/webp";
    public const string Heic = "image/heic";
    public const string Heif = "image/heif";

    // ISO BMFF brands (ISO/IEC 23008-12): HEVC-coded images are HEIC; the generic image brands are HEIF.
    private static readonly string[] HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"];
    private static readonly string[] HeifBrands = ["mif1", "msf1", "heif"];
    private static readonly string[] AvifBrands = ["avif", "avis"];

    /// <summary>
    /// Whether bytes sniffed as <paramref name="actual"/> may be declared <paramref name="declared"/>:
    /// the same type, or both of the HEIF family (phones and libraries label HEIC files either way).
    /// </summary>
    public static bool Agrees(string declared, string actual) =>
        declared == actual || (declared is Heic or Heif && actual is Heic or Heif);

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static string? Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngSignature))
        {
            return Png;
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return Jpeg;
        }

        // RIFF <size> WEBP
        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return Webp;
        }

        return DetectHeif(data);
    }

    // <size> "ftyp" <major brand> <minor version> <compatible brands...>
    private static string? DetectHeif(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16 || !data[4..8].SequenceEqual("ftyp"u8))
        {
            return null;
        }

        var boxEnd = (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data), (uint)data.Length);
        var brands = new List<string> { System.Text.Encoding.ASCII.GetString(data[8..12]) };
        for (var at = 16; at + 4 <= boxEnd; at += 4)
        {
            brands.Add(System.Text.Encoding.ASCII.GetString(data[at..(at + 4)]));
        }

        if (brands.Any(HeicBrands.Contains))
        {
            return Heic;
        }

        // AVIF shares HEIF's container and its mif1 brand; Gemini does not take it.
        return !brands.Any(AvifBrands.Contains) && brands.Any(HeifBrands.Contains) ? Heif : null;
    }
}
