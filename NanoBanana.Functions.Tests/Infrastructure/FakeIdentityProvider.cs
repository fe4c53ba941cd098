using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider on 127.0.0.1: discovery document and JWKS over real HTTP, RSA keys
/// that can be added (rotated) while the app runs, and a token mint.
/// </summary>
internal sealed class FakeIdentityProvider : IAsyncDisposable
{
    public const string Audience = "nanobanana-api";

    private readonly ConcurrentDictionary<string, RsaSecurityKey> _published = new();
    private WebApplication _app = null!;
    private int _jwksRequests;

    public string Issuer { get; private set; } = "";

    public int JwksRequests => _jwksRequests;

    public static async Task<FakeIdentityProvider> StartAsync()
    {
        var provider = new FakeIdentityProvider();
        (provider._app, provider.Issuer) = await LoopbackServer.StartAsync(app => provider.Map(app));
        return provider;
    }

    private void Map(WebApplication app)
    {
        var provider = this;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new
        {
            issuer = provider.Issuer,
            jwks_uri = provider.Issuer + "/jwks",
            id_token_signing_alg_values_supported = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref provider._jwksRequests);
            return Results.Json(new { keys = provider._published.Values.Select(JwkOf).ToArray() });
        });
    }

    /// <summary>A new RSA signing key; published in the JWKS unless <paramref name="publish"/> is false.</summary>
    public RsaSecurityKey NewKey(string kid, bool publish = true)
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid };
        if (publish)
        {
            _published[kid] = key;
        }

        return key;
    }

    public string Token(string userId, SecurityKey key, string? issuer = null, string audience = Audience, DateTime? expires = null, string algorithm = SecurityAlgorithms.RsaSha256,
        string? tokenType = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = expiry < now ? expiry.AddMinutes(-10) : now,
            NotBefore = expiry < now ? expiry.AddMinutes(-10) : now,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(key, algorithm),
            TokenType = tokenType,
        });
    }

    private static object JwkOf(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new
        {
            kty = "RSA",
            use = "sig",
            alg = "RS256",
            kid = key.KeyId,
            n = Base64UrlEncoder.Encode(parameters.Modulus),
            e = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
