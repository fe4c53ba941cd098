using NanoBanana.Functions.Api;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class HistoryCursorTests
{
    [Fact]
    public void Decode_ReturnsWhatWasEncoded()
    {
        // Arrange
        var position = new HistoryPosition(new DateTimeOffset(2026, 11, 24, 18, 0, 0, 123, TimeSpan.Zero).AddTicks(4560), Guid.CreateVersion7());

        // Act
        var ok = HistoryCursor.TryDecode(HistoryCursor.Encode(position), out var decoded);

        // Assert
        Assert.True(ok);
        Assert.Equal(position, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("////////////////////////////////")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Decode_RejectsAnythingElse(string cursor)
    {
        Assert.False(HistoryCursor.TryDecode(cursor, out _));
    }
}
