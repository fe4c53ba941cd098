using System.Text.Json;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Import;

/// <summary>
/// Copies original generations into NanoBanana: the row under the same id and owner (the Supabase
/// user id, which is the token's sub), its base64 or URL images into Blob Storage under the app's
/// own blob names, then the row. A generation is written only once all of its images are stored,
/// and never twice.
/// </summary>
internal sealed class Importer(OriginalDatabase original, TargetGenerations target, ImageStore images, ImageSource sources, TimeProvider clock)
{
    public async Task<ImportReport> RunAsync(Guid? userId, CancellationToken ct)
    {
        var report = new ImportReport(userId is { } id ? $"user {id:D}" : "all users");
        var now = clock.GetUtcNow();
        await foreach (var row in original.ReadAsync(userId, ct))
        {
            report.Read++;
            var decision = StatusMapping.Decide(row, now);
            if (decision is Skip skip)
            {
                ImportReport.Add(report.Skipped, skip.Reason);
            }
            else if (await target.ExistsAsync(row.Id, ct))
            {
                report.AlreadyImported++;
            }
            else
            {
                await ImportAsync(row, (Carry)decision, report, ct);
            }
        }

        return report;
    }

    private async Task ImportAsync(OriginalGeneration row, Carry carry, ImportReport report, CancellationToken ct)
    {
        var inputs = await LoadAsync(InputReferences(row), report, ct);
        var results = carry.Status == GenerationStatus.Completed ? await LoadAsync([row.ResultBase64 ?? row.ResultImageUrl], report, ct) : [];
        if (inputs is null || results is null)
        {
            report.LeftForALaterRun = true;
            return;
        }

        var attempt = row.RetryCount + 1;
        var (status, error) = carry.Status == GenerationStatus.Completed && results.Count == 0
            ? (GenerationStatus.Failed, StatusMapping.NoImage())
            : (carry.Status, carry.Error);
        var stored = new List<StoredImage>();
        foreach (var (bytes, index) in inputs.Select((b, i) => (b, i)))
        {
            stored.Add(await UploadAsync(BlobNames.Input(row.Id, index), bytes, report, ct));
        }

        var outputs = new List<StoredImage>();
        foreach (var (bytes, index) in (status == GenerationStatus.Completed ? results : []).Select((b, i) => (b, i)))
        {
            outputs.Add(await UploadAsync(BlobNames.Output(row.Id, attempt, index), bytes, report, ct));
        }

        var generation = new Generation(
            Id: row.Id,
            OwnerId: row.UserId.ToString("D"),
            Status: status,
            Prompt: row.Prompt!.Trim(),
            Options: new GenerationOptions(Allowed(row.AspectRatio, ModelCatalog.Embedded.AnyModelAspectRatios), Allowed(row.Resolution, ModelCatalog.Embedded.AnyModelImageSizes), null),
            InputImages: stored,
            Attempt: attempt,
            RunAttempt: 0,
            RetryCount: row.RetryCount,
            Version: 1,
            CreatedAt: row.CreatedAt,
            EnqueuedAt: null,
            StartedAt: row.StartedAt,
            CompletedAt: CompletedAt(row, status),
            Error: error,
            Images: outputs,
            Text: null,
            RequestHash: null,
            ApiKey: null);
        if (await target.InsertAsync(generation, row.GeminiMetadataJson, ct))
        {
            report.Imported++;
            ImportReport.Add(report.ImportedAs, status == GenerationStatus.Completed ? "completed" : $"failed {error!.Code}");
        }
        else
        {
            report.AlreadyImported++;
        }
    }

    /// <summary>The images, leaving out what is not an image or may not be fetched; null when a URL cannot be fetched now.</summary>
    private async Task<List<byte[]>?> LoadAsync(IEnumerable<string?> references, ImportReport report, CancellationToken ct)
    {
        var loaded = new List<byte[]>();
        foreach (var reference in references.Where(r => !string.IsNullOrWhiteSpace(r)))
        {
            var load = await sources.LoadAsync(reference!, ct);
            if (load.Bytes is { Length: > 0 } bytes)
            {
                loaded.Add(bytes);
            }
            else if (load.TryLater)
            {
                ImportReport.Add(report.Skipped, $"image not reachable now ({load.Problem})");
                return null;
            }
            else
            {
                ImportReport.Add(report.Skipped, $"image left out: {load.Problem ?? "empty"}");
            }
        }

        return loaded;
    }

    private async Task<StoredImage> UploadAsync(string blobName, byte[] bytes, ImportReport report, CancellationToken ct)
    {
        // The type comes from the bytes, as for images sent to the API (ImageSource let only images through).
        var image = await images.UploadAsync(blobName, BinaryData.FromBytes(bytes), ImageSniffer.Detect(bytes)!, ct);
        report.ImagesCopied++;
        report.ImageBytesCopied += image.Bytes;
        return image;
    }

    // The face image, then the additional ones: strings (URL, data: URL, base64) or objects with url/data.
    private static IEnumerable<string?> InputReferences(OriginalGeneration row)
    {
        yield return row.MainFaceImage;
        if (row.AdditionalImagesJson is null)
        {
            yield break;
        }

        using var additional = JsonDocument.Parse(row.AdditionalImagesJson);
        if (additional.RootElement.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in additional.RootElement.EnumerateArray().ToList())
        {
            yield return item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Object when item.TryGetProperty("url", out var url) => url.GetString(),
                JsonValueKind.Object when item.TryGetProperty("data", out var data) => data.GetString(),
                _ => null,
            };
        }
    }

    private static string? Allowed(string? value, IReadOnlyList<string> allowed) => value is not null && allowed.Contains(value) ? value : null;

    // Every ended generation has a completion time; the original did not always record one.
    private static DateTimeOffset CompletedAt(OriginalGeneration row, GenerationStatus status) =>
        row.CompletedAt
        ?? (status == GenerationStatus.Completed && row.GenerationTimeSeconds is { } seconds ? row.CreatedAt.AddSeconds(seconds) : row.StartedAt ?? row.CreatedAt);
}
