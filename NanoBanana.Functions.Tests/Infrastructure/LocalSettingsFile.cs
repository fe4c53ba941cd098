using System.Text.Json;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// A local.settings.json, read the way Core Tools reads it (comments allowed): the app settings in
/// Values, and the host's own options in Host (port, CORS).
/// </summary>
internal sealed record LocalSettingsFile(IReadOnlyDictionary<string, string> Values, string? Cors, bool CorsCredentials)
{
    public static LocalSettingsFile Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var values = root.TryGetProperty("Values", out var v)
            ? v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : [];
        var host = root.TryGetProperty("Host", out var h) ? h : default;
        return new LocalSettingsFile(
            values,
            host.ValueKind == JsonValueKind.Object && host.TryGetProperty("CORS", out var cors) ? cors.GetString() : null,
            host.ValueKind == JsonValueKind.Object && host.TryGetProperty("CORSCredentials", out var credentials) && credentials.GetBoolean());
    }

    /// <summary>Values as configuration keys: the host passes them as environment variables, where __ nests sections.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ConfigurationValues =>
        Values.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), (string?)v.Value));
}
