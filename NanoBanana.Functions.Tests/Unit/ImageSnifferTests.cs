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
        Assert.Null(ImageSniffer.Detect(TestImages.Avif));
        Assert.Null(ImageSniffer.Detect(TestImages.Heic.AsSpan(0, 12)));
    }

    [Fact]
    public void Detect_KnowsHeicAndHeif_ByTheirFtypBrands()
    {
        Assert.Equal("image/heic", ImageSniffer.Detect(TestImages.Heic));
        Assert.Equal("image/heif", ImageSniffer.Detect(TestImages.Heif));
    }

    [Theory]
    [InlineData("image/heic", "image/heif", true)]
    [InlineData("image/heif", "image/heic", true)]
    [InlineData("image/heic", "image/heic", true)]
    [InlineData("image/png", "image/heic", false)]
    [InlineData("image/jpeg", "image/png", false)]
    public void Agrees_TreatsTheHeifFamilyAsOne(string declared, string actual, bool agrees) =>
        Assert.Equal(agrees, ImageSniffer.Agrees(declared, actual));
}
