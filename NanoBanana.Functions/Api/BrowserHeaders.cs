using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Api;

/// <summary>
/// A page on another origin can read only the CORS-safelisted response headers unless the response
/// names the others, and the Functions host's CORS (Host.CORS locally, the platform's CORS in Azure)
/// names none. So responses that carry headers a browser client acts on name them here.
/// </summary>
public static class BrowserHeaders
{
    public const string Exposed = "ETag, Retry-After, Location, Idempotent-Replayed, Preference-Applied, Content-Disposition, WWW-Authenticate";

    public static void Expose(HttpResponse response) => response.Headers.AccessControlExposeHeaders = Exposed;
}
