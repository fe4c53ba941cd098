using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Api;

/// <summary>
/// GET /generations/{id}/image?index=n: the result image's bytes, streamed from Blob Storage with their real type;
/// ?draft=n instead: an interim image the model drew while it thought (listed in the generation's drafts, whatever its status).
/// </summary>
public sealed class GenerationImageFunction(ICallerAuthenticator authenticator, GenerationService generations, ImageStore images)
{
    [Function("GetGenerationImage")]
    public async Task<FileStreamHttpResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations/{id}/image")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generation = await generations.GetAsync(caller.UserId, RouteId.Parse(id), ct);
        var draft = request.Query.ContainsKey("draft");
        var index = ParseIndex(request.Query[draft ? "draft" : "index"].ToString(), draft ? "draft" : "index");
        StoredImage image;
        if (draft)
        {
            image = index < generation.Drafts.Count ? generation.Drafts[index] : throw Problems.ImageNotFound(generation.Status);
        }
        else if (generation.Status == GenerationStatus.Completed && index < generation.Images.Count)
        {
            image = generation.Images[index];
        }
        else
        {
            throw Problems.ImageNotFound(generation.Status);
        }

        var blob = await images.OpenReadAsync(image.BlobName, ct) ?? throw Problems.ImageNotFound(generation.Status);
        // A completed generation's images never change, nor does a draft (its blob is named by attempt and number): the phone may keep them.
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=86400";
        // Bytes made elsewhere: never sniffed into another type, and if opened as a document they run nothing.
        request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        request.HttpContext.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        BrowserHeaders.Expose(request.HttpContext.Response);
        return TypedResults.Stream(
            blob.Content,
            image.MimeType,
            fileDownloadName: $"{generation.Id:D}-{(draft ? "draft-" : "")}{index}{Extension(image.MimeType)}",
            entityTag: new EntityTagHeaderValue(blob.ETag.ToString("H")));
    }

    private static int ParseIndex(string value, string field)
    {
        if (value.Length == 0)
        {
            return 0;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < 100
            ? index
            : throw Problems.Invalid(field, ProblemCodes.InvalidImageIndex, $"{field} must be a whole number: 0 for the first image.");
    }

    private static string Extension(string mimeType) => mimeType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => "",
    };
}
