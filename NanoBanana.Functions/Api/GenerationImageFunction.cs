using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Api;

/// <summary>GET /generations/{id}/image?index=n: the result image's bytes, streamed from Blob Storage with their real type.</summary>
public sealed class GenerationImageFunction(ICallerAuthenticator authenticator, GenerationService generations, ImageStore images)
{
    [Function("GetGenerationImage")]
    public async Task<FileStreamHttpResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations/{id}/image")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generation = await generations.GetAsync(caller.UserId, RouteId.Parse(id), ct);
        var index = ParseIndex(request.Query["index"].ToString());
        if (generation.Status != GenerationStatus.Completed || index >= generation.Images.Count)
        {
            throw Problems.ImageNotFound(generation.Status);
        }

        var image = generation.Images[index];
        var blob = await images.OpenReadAsync(image.BlobName, ct) ?? throw Problems.ImageNotFound(generation.Status);
        // A completed generation's images never change, so the phone may keep them.
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=86400";
        // Bytes made elsewhere: never sniffed into another type, and if opened as a document they run nothing.
        request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        request.HttpContext.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        BrowserHeaders.Expose(request.HttpContext.Response);
        return TypedResults.Stream(
            blob.Content,
            image.MimeType,
            fileDownloadName: $"{generation.Id:D}-{index}{Extension(image.MimeType)}",
            entityTag: new EntityTagHeaderValue(blob.ETag.ToString("H")));
    }

    private static int ParseIndex(string value)
    {
        if (value.Length == 0)
        {
            return 0;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < 100
            ? index
            : throw Problems.Invalid("index", ProblemCodes.InvalidImageIndex, "index must be a whole number: 0 for the first image.");
    }

    private static string Extension(string mimeType) => mimeType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => "",
    };
}
