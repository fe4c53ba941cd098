using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>Mints bearer tokens the way an identity provider (Supabase: HS256) would.</summary>
internal static class TestTokens
{
    public const string Issuer = "https://auth.nanobanana.test";
    public const string Audience = "nanobanana-api";
    public const string SigningKey = "tests-only-signing-key-0123456789-abcdefghijklmnop";

    public static string For(string userId, DateTime? expires = null, string issuer = Issuer, string audience = Audience, string signingKey = SigningKey)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expiry < now ? expiry.AddMinutes(-10) : now,
            NotBefore = expiry < now ? expiry.AddMinutes(-10) : now,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A fresh user id, so each test's data is its own.</summary>
    public static string NewUserId() => "user-" + Guid.NewGuid().ToString("N");
}
