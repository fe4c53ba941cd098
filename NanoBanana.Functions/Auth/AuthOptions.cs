using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NanoBanana.Functions.Settings;

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

    [Description("How callers prove who they are: `Jwt` (bearer tokens), `AppServiceAuth` (Easy Auth's `X-MS-CLIENT-PRINCIPAL`; refuses to start in Azure unless Easy Auth is on) or `Development` (tokens from scripts/dev-token.sh; refuses to start in Azure). See [SECURITY.md](SECURITY.md).")]
    [Required(ErrorMessage = "Set Auth__Mode: Jwt (bearer tokens), AppServiceAuth (Easy Auth) or Development (local only).")]
    public AuthMode? Mode { get; set; }

    [Description("The token issuer (`iss`) to accept, e.g. `https://<project>.supabase.co/auth/v1`.")]
    [RequiredWhen("`Auth__Mode` Jwt or Development")]
    public string? Issuer { get; set; }

    [Description("The audience (`aud`) to accept, e.g. `authenticated` for Supabase.")]
    [RequiredWhen("`Auth__Mode` Jwt or Development")]
    public string? Audience { get; set; }

    [Description("HS256 shared secret (Supabase: the project's JWT secret), at least 32 characters. One key source: this, or one of the next three.")]
    [RequiredWhen("Jwt: one key source; Development: this one")]
    public string? SigningKey { get; set; }

    [Description("OIDC authority: keys come from `{Authority}/.well-known/openid-configuration`.")]
    [RequiredWhen("Jwt: one key source")]
    public string? Authority { get; set; }

    [Description("An explicit OIDC metadata document, when it is not under the authority.")]
    [RequiredWhen("Jwt: one key source")]
    public string? MetadataAddress { get; set; }

    [Description("A bare JWKS document (no OIDC metadata).")]
    [RequiredWhen("Jwt: one key source")]
    public string? JwksUri { get; set; }

    // Empty by default: the configuration binder appends to a non-empty default instead of replacing it.
    [Description("Accepted signing algorithms for OIDC/JWKS keys; when none are set, `RS256` and `ES256`. Setting any replaces those. HS256 is only ever accepted with `Auth__SigningKey`.")]
    public string[] Algorithms { get; set; } = [];

    internal IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Length > 0 ? Algorithms : ["RS256", "ES256"];

    [Description("The longest a token may be issued for (`exp` - `iat`), in minutes: a token minted to last longer is refused (`401 invalid_token`), so a leaked long-lived token is not a key for ever.")]
    [Range(1, 43_200)]
    public int MaxTokenLifetimeMinutes { get; set; } = 1440;

    [Description("Accepted JOSE `typ` header values (RFC 8725 3.11): access tokens are `JWT` or `at+jwt` (RFC 9068); other types (an ID token typed `id+jwt`, a logout token, a DPoP proof) are refused.")]
    public string[] ValidTypes { get; set; } = [];

    internal IReadOnlyList<string> EffectiveValidTypes => ValidTypes.Length > 0 ? ValidTypes : ["JWT", "at+jwt"];

    [Description("Refuse OIDC metadata and JWKS addresses that are not https. Turn off only for a local identity provider.")]
    public bool RequireHttpsMetadata { get; set; } = true;

    [Description("Tolerance for clock differences when checking `exp` and `nbf`.")]
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    [Description("How often signing keys are re-read anyway (a token naming an unknown `kid` triggers a re-read sooner).")]
    [Range(1, 1440)]
    public int KeyRefreshMinutes { get; set; } = 60;

    [Description("The shortest time between two key re-reads caused by unknown `kid`s (an attacker can send many).")]
    [Range(1, 3600)]
    public int MinimumKeyRefreshSeconds { get; set; } = 300;

    [Description("Bearer tokens remembered after validating, until their `exp` (by a SHA-256 of the header, not the token), so a phone polling with one token pays for one signature check; 0 validates every call.")]
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

            // IdentityModel reads an empty allow-list as "any algorithm": all-HS for keys from a JWKS would be that.
            if (KeySourceAddress is not null && Algorithms.Length > 0 && Algorithms.All(a => a.StartsWith("HS", StringComparison.OrdinalIgnoreCase)))
            {
                yield return new ValidationResult("Auth__Algorithms lists only HS algorithms, which are never accepted for OIDC/JWKS keys: list RS256, ES256, PS256...");
            }

            if (Mode == AuthMode.Development && KeySourceAddress is not null)
            {
                yield return new ValidationResult("Auth__Mode=Development uses Auth__SigningKey only.");
            }
        }
    }
}
