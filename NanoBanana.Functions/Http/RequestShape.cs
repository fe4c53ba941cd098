using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NanoBanana.Functions.Http;

/// <summary>
/// One pass over a JSON body before it is deserialized, guided by the request type's own contract: members a type
/// does not have are refused (for types marked <see cref="JsonUnmappedMemberHandling.Disallow"/>), and the bytes of
/// everything but base64 payloads (<c>byte[]</c> members such as <c>images[].data</c>) are capped.
/// </summary>
/// <remarks>
/// Why not <c>[JsonExtensionData]</c>: it builds a dictionary entry and an error per unknown member, so a 30 MB body
/// of <c>"f0":0,"f1":0,...</c> became millions of errors and gigabytes allocated. This scan keeps at most
/// <see cref="MaxReported"/> names, skips values without materializing them, and stops at the field cap.
/// Malformed JSON is left to the deserializer, which reports where it broke.
/// </remarks>
public static class RequestShape
{
    public const int MaxReported = 5;

    public static void Check(ReadOnlySpan<byte> body, JsonTypeInfo root, int maxFieldBytes)
    {
        var scan = new Scan(maxFieldBytes);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = root.Options.MaxDepth });
        try
        {
            if (reader.Read())
            {
                scan.Value(ref reader, root, "");
            }
        }
        catch (JsonException)
        {
            // Malformed: the deserializer says so, with its position.
            return;
        }

        if (scan.Unknown.Count > 0)
        {
            throw Problems.UnknownMembers(scan.Unknown, scan.UnknownTotal);
        }
    }

    private sealed class Scan(int maxFieldBytes)
    {
        public List<string> Unknown { get; } = [];
        public int UnknownTotal { get; private set; }
        public long PayloadBytes { get; private set; }

        public void Value(ref Utf8JsonReader reader, JsonTypeInfo? type, string path)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject when type is { Kind: JsonTypeInfoKind.Object }:
                    Object(ref reader, type, path);
                    break;
                case JsonTokenType.StartArray when type is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element }:
                    var items = type.Options.GetTypeInfo(element);
                    for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
                    {
                        Value(ref reader, items, $"{path}[{i}]");
                    }

                    break;
                case JsonTokenType.String when type?.Type == typeof(byte[]):
                    PayloadBytes += reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                    break;
                default:
                    reader.Skip();
                    break;
            }

            // The cap is checked as the scan goes, so a flood is refused at its first few kilobytes' worth.
            if (reader.BytesConsumed - PayloadBytes > maxFieldBytes)
            {
                throw Problems.FieldsTooLarge(maxFieldBytes);
            }
        }

        private void Object(ref Utf8JsonReader reader, JsonTypeInfo type, string path)
        {
            var refuseUnknown = (type.UnmappedMemberHandling ?? type.Options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = Find(type, ref reader);
                if (property is null && refuseUnknown)
                {
                    UnknownTotal++;
                    if (Unknown.Count < MaxReported)
                    {
                        Unknown.Add(path.Length == 0 ? reader.GetString()! : $"{path}.{reader.GetString()}");
                    }
                }

                reader.Read();
                Value(ref reader, property is null ? null : type.Options.GetTypeInfo(property.PropertyType), property is null ? "" : Join(path, property.Name));
            }
        }

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

        // Names compared as UTF-8, so an unknown member costs no string unless it is one of the few reported.
        private static JsonPropertyInfo? Find(JsonTypeInfo type, ref Utf8JsonReader reader)
        {
            // An index loop: foreach over the IList would box an enumerator per member, 100 MB for the review's body.
            var properties = type.Properties;
            for (var i = 0; i < properties.Count; i++)
            {
                if (reader.ValueTextEquals(properties[i].Name))
                {
                    return properties[i];
                }
            }

            return null;
        }
    }
}
