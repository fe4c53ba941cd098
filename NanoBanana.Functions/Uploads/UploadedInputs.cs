using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;

using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// The worker's side of an uploaded reference. The API checked its owner and size, never its bytes (the
/// phone wrote them straight to storage), so they are sniffed here before Gemini sees them. Inline, the
/// whole blob is read; by URL (Gemini__InputsByUrl, Developer API) only its first bytes are, and Gemini
/// gets a read-only SAS to fetch the rest itself, so the worker never holds the image.
/// </summary>
public sealed class UploadedInputs(UploadSas sas, IOptions<GeminiOptions> gemini, ILogger<UploadedInputs> logger)
{
    // Enough for every signature ImageSniffer knows, HEIF's brand list included.
    private const int SniffBytes = 256;

    private bool ByUrl => gemini.Value.InputsByUrl && gemini.Value.Backend == GeminiBackend.Developer;

    public async Task<UploadedInput> ReadAsync(StoredImage input, CancellationToken ct)
    {
        var uploadId = input.UploadId!.Value;
        var blob = sas.Container.GetBlobClient(UploadNames.Blob(uploadId));
        byte[] bytes;
        try
        {
            bytes = ByUrl
                ? (await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(0, SniffBytes) }, ct)).Value.Content.ToArray()
                : (await blob.DownloadContentAsync(ct)).Value.Content.ToArray();
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return UploadedInput.Failed(new GeminiFailure(GenerationErrorCodes.InputMissing,
                "An uploaded reference of this generation is no longer available. Upload it again and create a new generation.", Transient: false));
        }

        var actual = ImageSniffer.Detect(bytes);
        if (actual is null || !ImageSniffer.Agrees(input.MimeType, actual))
        {
            logger.LogWarning("Upload {UploadId} was declared {MimeType} but its bytes are {ActualType}", uploadId, input.MimeType, actual ?? "not an image");
            return UploadedInput.Failed(new GeminiFailure(GenerationErrorCodes.InputInvalid,
                $"An uploaded reference was declared {input.MimeType} but its bytes are {actual ?? "not a PNG, JPEG, WebP or HEIC/HEIF image"}. Upload the image again.",
                Transient: false));
        }

        if (!ByUrl)
        {
            return new UploadedInput(new GeminiImage(actual, bytes), null);
        }

        var (url, _) = await sas.ReadUrlAsync(uploadId, ct);
        return new UploadedInput(new GeminiImage(actual, [], url), null);
    }
}

/// <summary>The reference to send to Gemini, or why the generation fails without calling it.</summary>
public sealed record UploadedInput(GeminiImage? Image, GeminiFailure? Failure)
{
    public static UploadedInput Failed(GeminiFailure failure) => new(null, failure);
}
