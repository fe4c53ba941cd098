using System.Text.Json;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>local.settings.sample.json's Values, read the way Core Tools reads them (comments allowed).</summary>
internal static class LocalSettingsSample
{
    public static Dictionary<string, string> Values()
    {
        var json = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot, "local.settings.sample.json"));
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
