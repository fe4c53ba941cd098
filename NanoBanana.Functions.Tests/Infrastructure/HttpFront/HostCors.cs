using Microsoft.AspNetCore.Cors.Infrastructure;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// The Functions host's CORS, as Core Tools applies it from local.settings.json's Host section
/// (CORS: comma-separated origins; CORSCredentials): those origins, any header, any method, and
/// credentials when asked. Azure's platform CORS takes the same two values (allowed origins, support credentials).
/// </summary>
internal sealed record HostCors(IReadOnlyList<string> Origins, bool Credentials)
{
    public static HostCors? From(LocalSettingsFile? settings) =>
        settings?.Cors is { Length: > 0 } origins
            ? new HostCors(origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), settings.CorsCredentials)
            : null;

    public void Apply(CorsPolicyBuilder policy)
    {
        policy.WithOrigins([.. Origins]).AllowAnyHeader().AllowAnyMethod();
        if (Credentials)
        {
            policy.AllowCredentials();
        }
    }
}
