using System.Text.Json;

namespace NanoBanana.Import;

/// <summary>What an import run read, wrote and left, printed for a person or (with --json) for a script.</summary>
internal sealed class ImportReport(string scope)
{
    public string Scope { get; } = scope;

    public int Read { get; set; }

    public int Imported { get; set; }

    /// <summary>Imported, by what they became: completed, or failed with the error code.</summary>
    public SortedDictionary<string, int> ImportedAs { get; } = new(StringComparer.Ordinal);

    /// <summary>Already in NanoBanana from an earlier run: left exactly as they are.</summary>
    public int AlreadyImported { get; set; }

    /// <summary>Not imported, by reason; those waiting on an image URL or on the original's own processing are imported by a later run.</summary>
    public SortedDictionary<string, int> Skipped { get; } = new(StringComparer.Ordinal);

    public int ImagesCopied { get; set; }

    public long ImageBytesCopied { get; set; }

    /// <summary>Always 0: the original's users table, where its plain-text Gemini keys live, is never read.</summary>
#pragma warning disable CA1822 // An instance property so that the report's JSON carries it.
    public int GeminiKeysCopied => 0;
#pragma warning restore CA1822

    public bool LeftForALaterRun { get; set; }

    public static void Add(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public override string ToString()
    {
        var lines = new List<string>
        {
            $"Import from the original system ({Scope})",
            $"  read from the original      {Read}",
            $"  imported                    {Imported}{(ImportedAs.Count == 0 ? "" : $"  ({string.Join(", ", ImportedAs.Select(a => $"{a.Key}: {a.Value}"))})")}",
            $"  already imported, unchanged {AlreadyImported}",
            $"  skipped                     {Skipped.Values.Sum()}",
        };
        lines.AddRange(Skipped.Select(s => $"    {s.Value} {s.Key}"));
        lines.Add($"  images copied to Blob Storage {ImagesCopied} ({ImageBytesCopied} bytes)");
        lines.Add($"  Gemini keys copied          {GeminiKeysCopied} (the original's users.gemini_api_key is never read)");
        if (LeftForALaterRun)
        {
            lines.Add("Some generations could not be imported yet; run the import again later (it skips what is already there).");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
