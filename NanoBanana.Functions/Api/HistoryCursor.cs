using System.Buffers.Binary;
using System.Buffers.Text;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Api;

/// <summary>
/// The opaque <c>cursor</c> of the history list: the (createdAt, id) of the last item returned,
/// base64url-encoded. Keyset paging, so pages stay stable while new generations arrive.
/// </summary>
public static class HistoryCursor
{
    private const int Length = sizeof(long) + 16;

    public static string Encode(HistoryPosition position)
    {
        Span<byte> bytes = stackalloc byte[Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, position.CreatedAt.UtcTicks);
        position.Id.TryWriteBytes(bytes[sizeof(long)..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string cursor, out HistoryPosition position)
    {
        position = default;
        Span<byte> bytes = stackalloc byte[Length];
        if (!Base64Url.IsValid(cursor, out var decodedLength) || decodedLength != Length
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out _))
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        position = new HistoryPosition(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[sizeof(long)..Length], bigEndian: true));
        return true;
    }
}
