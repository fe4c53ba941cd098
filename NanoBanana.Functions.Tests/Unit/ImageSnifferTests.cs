using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class ImageSnifferTests
{
    [Fact]
    public void Detect_KnowsPngJpegAndWebp_ByTheirBytes()
    {
        byte[] webp = [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8];

        Assert.Equal("image/png", ImageSniffer.Detect(TestImages.Png));
        Assert.Equal("image/jpeg", ImageSniffer.Detect(TestImages.Jpeg));
        Assert.Equal("image/webp", ImageSniffer.Detect(webp));
    }

    [Fact]
    public void Detect_ReturnsNull_ForAnythingElse()
    {
        Assert.Null(ImageSniffer.Detect(TestImages.NotAnImage));
        Assert.Null(ImageSniffer.Detect([]));
        Assert.Null(ImageSniffer.Detect("GIF89a"u8));
        Assert.Null(ImageSniffer.Detect(TestImages.Png.AsSpan(0, 7)));
    }
}
