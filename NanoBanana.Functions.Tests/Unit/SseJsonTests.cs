using System.Text;
using System.Text.Json;
using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>
/// The worker's reader of Gemini's <c>streamGenerateContent?alt=sse</c> framing: every document once, in
/// order, however the body is cut into reads (a line may end in any read, a CRLF may be split), with the
/// SSE rules that matter for Google's framing.
/// </summary>
public sealed class SseJsonTests
{
    private sealed record Chunk(int N, string? Text);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(4096)]
    public async Task EveryDocument_ArrivesOnceInOrder_WhateverTheReadSizes(int readBytes)
    {
        // Arrange: CRLF and LF events, a comment, fields that are not data, a data line without its space, a long line.
        var body = """
            : a comment
            data: {"n":1,"text":"one"}

            event: message
            id: 7
            data:{"n":2}
            retry: 1000


            """.Replace("\n", "\r\n", StringComparison.Ordinal) + $"data: {{\"n\":3,\"text\":\"{new string('x', 300_000)}\"}}\n\n";

        // Act
        var read = await ReadAllAsync(body, readBytes);

        // Assert
        Assert.Equal([1, 2, 3], read.Select(c => c!.N));
        Assert.Equal("one", read[0]!.Text);
        Assert.Null(read[1]!.Text);
        Assert.Equal(300_000, read[2]!.Text!.Length);
    }

    [Fact]
    public async Task SeveralDataLines_AreOneDocumentJoinedByLineFeeds()
    {
        var read = await ReadAllAsync("data: {\"n\":\ndata: 4}\n\n", readBytes: 2);

        Assert.Equal(4, Assert.Single(read)!.N);
    }

    [Fact]
    public async Task AnEventTheBodyEndsInTheMiddleOf_IsDropped()
    {
        var read = await ReadAllAsync("data: {\"n\":1}\n\ndata: {\"n\":2}", readBytes: 5);

        Assert.Equal(1, Assert.Single(read)!.N);
    }

    [Fact]
    public async Task DataThatIsNotJson_Throws_AsAMalformedAnswerDoes()
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAllAsync("data: {\"n\":\n\n", readBytes: 64));
    }

    private static async Task<List<Chunk?>> ReadAllAsync(string body, int readBytes)
    {
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(body), readBytes);
        var read = new List<Chunk?>();
        await foreach (var chunk in SseJson.ReadAsync<Chunk>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web), CancellationToken.None))
        {
            read.Add(chunk);
        }

        return read;
    }

    /// <summary>A body that hands out at most <c>readBytes</c> per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] bytes, int readBytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readBytes)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readBytes));
    }
}
