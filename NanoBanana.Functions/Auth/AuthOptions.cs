using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The token issuer (iss) to accept, e.g. https://&lt;project&gt;.supabase.co/auth/v1.</summary>
    [Required(ErrorMessage = "Set Auth__Issuer: the issuer (iss) of the bearer tokens the API accepts.")]
    public string Issuer { get; set; } = "";

    /// <summary>The audience (aud) to accept, e.g. authenticated for Supabase.</summary>
    [Required(ErrorMessage = "Set Auth__Audience: the audience (aud) of the bearer tokens the API accepts.")]
    public string Audience { get; set; } = "";

    /// <summary>HS256 shared secret (Supabase's JWT secret), at least 32 bytes.</summary>
    [Required(ErrorMessage = "Set Auth__SigningKey: the HS256 secret that signs the bearer tokens (at least 32 characters).")]
    [MinLength(32, ErrorMessage = "Auth__SigningKey must be at least 32 characters.")]
    public string SigningKey { get; set; } = "";

    /// <summary>Tolerance for clock differences when checking exp and nbf.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;
}
