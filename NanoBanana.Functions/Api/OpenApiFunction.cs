using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace NanoBanana.Functions.Api;

/// <summary>
/// GET /openapi.json: the API's OpenAPI 3.1 description (Api/openapi.json, embedded at build). Written
/// by hand and held to the code by the tests: every response the integration suites receive is
/// validated against it, and the TypeScript client's types are generated from it.
/// </summary>
public sealed class OpenApiFunction
{
    public const string ResourceName = "openapi.json";

    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(OpenApiFunction).Assembly.GetManifestResourceStream(ResourceName)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    [Function("GetOpenApiDocument")]
    public static Task<FileContentHttpResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request)
    {
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
        return Task.FromResult(TypedResults.Bytes(Document.Value, "application/json"));
    }
}
