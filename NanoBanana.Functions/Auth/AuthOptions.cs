using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Auth;

/// <summary>How callers prove who they are.</summary>
public enum AuthMode
{
    /// <summary>Bearer JWTs: keys from OIDC metadata or a JWKS URL, or an HS256 secret (Supabase).</summary>
    Jwt,

    /// <summary>App Service Authentication (Easy Auth) in front of the app: its X-MS-CLIENT-PRINCIPAL headers.</summary>
    AppServiceAuth,

    /// <summary>HS256 tokens from scripts/dev-token.sh. Refuses to start when running in Azure.</summary>
    Development,
}

public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    [Required(ErrorMessage = "Set Auth__Mode: Jwt (bearer tokens), AppServiceAuth (Easy Auth) or Development (local only).")]
    public AuthMode? Mode { get; set; }

    /// <summary>The token issuer (iss) to accept, e.g. https://&lt;project&gt;.supabase.co/auth/v1.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (aud) to accept, e.g. authenticated for Supabase.</summary>
    public string? Audience { get; set; }

    /// <summary>HS256 shared secret (Supabase's JWT secret), at least 32 characters.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OIDC authority; keys come from {Authority}/.well-known/openid-configuration.</summary>
    public string? Authority { get; set; }

    /// <summary>Explicit OIDC metadata document, when it is not under the authority.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>A bare JWKS document (no OIDC metadata).</summary>
    public string? JwksUri { get; set; }

    /// <summary>
    /// Accepted signing algorithms for OIDC/JWKS keys (RS256 and ES256 when none are set). HS256 is only
    /// ever accepted with <see cref="SigningKey"/>. Empty by default because the configuration binder
    /// appends to a non-empty default instead of replacing it.
    /// </summary>
    public string[] Algorithms { get; set; } = [];

    internal IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Length > 0 ? Algorithms : ["RS256", "ES256"];

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Tolerance for clock differences when checking exp and nbf.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>How often signing keys are re-read anyway (a token with an unknown kid triggers a re-read sooner).</summary>
    [Range(1, 1440)]
    public int KeyRefreshMinutes { get; set; } = 60;

    /// <summary>The shortest time between two key re-reads caused by unknown kids (an attacker can send many).</summary>
    [Range(1, 3600)]
    public int MinimumKeyRefreshSeconds { get; set; } = 300;

    /// <summary>
    /// How many validated bearer tokens are remembered until their exp (<see cref="ValidatedTokenCache"/>),
    /// so repeated calls with one token skip the signature check; 0 validates every call.
    /// </summary>
    [Range(0, 1_000_000)]
    public int TokenCacheEntries { get; set; } = 10_000;

    internal string? KeySourceAddress =>
        MetadataAddress ?? (Authority is { } authority ? authority.TrimEnd('/') + "/.well-known/openid-configuration" : null) ?? JwksUri;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode is AuthMode.Jwt or AuthMode.Development)
        {
            if (string.IsNullOrWhiteSpace(Issuer))
            {
                yield return new ValidationResult("Set Auth__Issuer: the issuer (iss) of the bearer tokens the API accepts.");
            }

            if (string.IsNullOrWhiteSpace(Audience))
            {
                yield return new ValidationResult("Set Auth__Audience: the audience (aud) of the bearer tokens the API accepts.");
            }

            var keySources = new[] { SigningKey, KeySourceAddress }.Count(s => !string.IsNullOrWhiteSpace(s));
            if (keySources == 0)
            {
                yield return new ValidationResult(Mode == AuthMode.Development
                    ? "Set Auth__SigningKey: the HS256 secret scripts/dev-token.sh signs with (at least 32 characters)."
                    : "Set Auth__SigningKey (HS256 secret), or Auth__Authority / Auth__MetadataAddress (OIDC), or Auth__JwksUri: where token signing keys come from.");
            }
            else if (keySources > 1)
            {
                yield return new ValidationResult("Set only one of Auth__SigningKey and Auth__Authority / Auth__MetadataAddress / Auth__JwksUri.");
            }

            if (SigningKey is { Length: > 0 and < 32 })
            {
                yield return new ValidationResult("Auth__SigningKey must be at least 32 characters.");
            }

            if (Mode == AuthMode.Development && KeySourceAddress is not null)
            {
                yield return new ValidationResult("Auth__Mode=Development uses Auth__SigningKey only.");
            }
        }
    }
}
