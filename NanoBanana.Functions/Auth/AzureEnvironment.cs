using Microsoft.Extensions.Configuration;

namespace NanoBanana.Functions.Auth;

/// <summary>Whether this process runs in Azure App Service / Functions, as the platform's own app settings tell.</summary>
internal static class AzureEnvironment
{
    /// <summary>Both are set by the platform on every Azure Functions / App Service instance, never locally.</summary>
    public static bool IsAzure(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]) || !string.IsNullOrEmpty(configuration["WEBSITE_SITE_NAME"]);

    /// <summary>Set to True by the platform when App Service Authentication is on for the app.</summary>
    public static bool EasyAuthEnabled(IConfiguration configuration) =>
        string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "True", StringComparison.OrdinalIgnoreCase);
}
