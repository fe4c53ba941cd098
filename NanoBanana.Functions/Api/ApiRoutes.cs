namespace NanoBanana.Functions.Api;

/// <summary>Paths of the API's resources, as clients see them (host.json routePrefix is "api").</summary>
public static class ApiRoutes
{
    public const string Prefix = "/api";

    /// <summary>Where Google posts the static Gemini webhook's events (register this URL with Google; docs/DEPLOY.md).</summary>
    public const string GeminiWebhooks = Prefix + "/gemini/webhooks";

    public static string Generation(Guid id) => $"{Prefix}/generations/{id:D}";

    public static string Image(Guid id, int index) => $"{Prefix}/generations/{id:D}/image?index={index}";

    public static string Draft(Guid id, int index) => $"{Prefix}/generations/{id:D}/image?draft={index}";
}
