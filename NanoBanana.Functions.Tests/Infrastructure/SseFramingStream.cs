using System.Text;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// How <see cref="FakeGemini"/> answers streamGenerateContent?alt=sse with a reply written for
/// generateContent: a successful JSON answer goes out as one <c>data:</c> event, which is what Google
/// streams for a model that sends its answer in one chunk. The framing is added as the bytes pass (not
/// buffered), so a reply that cuts the connection mid-body still cuts the stream mid-event. An error
/// answer (not 200) stays JSON, as Google sends it before any stream begins.
/// </summary>
internal sealed class SseFramingStream(HttpResponse response, Stream inner) : Stream
{
    private static readonly object OwnEvents = new();
    private bool _started;
    private bool _framing;

    /// <summary>Called by a reply that writes Server-Sent Events itself (several chunks, as a thinking model streams): no framing.</summary>
    public static void WritesItsOwnEvents(HttpContext context) => context.Items[OwnEvents] = true;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            _started = true;
            _framing = response.StatusCode == StatusCodes.Status200OK && !response.HttpContext.Items.ContainsKey(OwnEvents);
            if (_framing)
            {
                await inner.WriteAsync("data: "u8.ToArray(), cancellationToken);
            }
        }

        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <summary>The reply is done: end the event.</summary>
    public async Task CompleteAsync()
    {
        if (_framing)
        {
            await inner.WriteAsync(Encoding.ASCII.GetBytes("\r\n\r\n"));
        }
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
}
