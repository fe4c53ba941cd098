using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Auth;

/// <summary>
/// Validates <c>Authorization: Bearer</c> JWTs with Microsoft.IdentityModel: signature, issuer,
/// audience, lifetime (small skew), and an algorithm allow-list (never "none"). Keys come from an
/// HS256 secret, or from OIDC metadata / a JWKS URL through IdentityModel's ConfigurationManager,
/// which caches them and re-reads them when a token names a kid it does not know.
/// The caller is the token's <c>sub</c>.
/// </summary>
public sealed class JwtCallerAuthenticator : ICallerAuthenticator
{
    /// <summary>
    /// IdentityModel's switch for key refreshes: a request whose token names an unknown kid waits for
    /// the provider's keys to be read (at most once per Auth__MinimumKeyRefreshSeconds, so an attacker
    /// inventing kids cannot make it read more) and is validated again with them. Without it the read
    /// happens in the background and the first requests signed with a freshly rotated key get a 401,
    /// which a phone takes for "signed out". Process-wide, read by IdentityModel when it first needs it.
    /// </summary>
    internal const string AwaitKeyRefreshSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    static JwtCallerAuthenticator() => AppContext.SetSwitch(AwaitKeyRefreshSwitch, true);

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly ILogger<JwtCallerAuthenticator> _logger;
    private readonly TimeSpan _maxLifetime;

    public JwtCallerAuthenticator(IOptions<AuthOptions> options, ILogger<JwtCallerAuthenticator> logger)
    {
        var auth = options.Value;
        _logger = logger;
        _maxLifetime = TimeSpan.FromMinutes(auth.MaxTokenLifetimeMinutes);
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(auth.ClockSkewSeconds),
            ValidTypes = [.. auth.EffectiveValidTypes],
        };

        if (!string.IsNullOrEmpty(auth.SigningKey))
        {
            _parameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey));
            _parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            var address = auth.KeySourceAddress!;
            IConfigurationRetriever<OpenIdConnectConfiguration> retriever = auth.JwksUri is not null && auth.Authority is null && auth.MetadataAddress is null
                ? new JwksRetriever()
                : new OpenIdConnectConfigurationRetriever();
            _parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                address, retriever, new HttpDocumentRetriever { RequireHttps = auth.RequireHttpsMetadata })
            {
                AutomaticRefreshInterval = TimeSpan.FromMinutes(auth.KeyRefreshMinutes),
                RefreshInterval = TimeSpan.FromSeconds(auth.MinimumKeyRefreshSeconds),
                ConfigurationEventHandler = new SigningKeysReadLog(logger),
            };
            // Asymmetric algorithms only: a JWKS must never let an attacker pick HS256 with a public key.
            _parameters.ValidAlgorithms = auth.EffectiveAlgorithms.Where(a => !a.StartsWith("HS", StringComparison.OrdinalIgnoreCase)).ToArray();
        }

        // An empty list means "any" to IdentityModel; AuthOptions refuses the settings that lead here, this is the backstop.
        if (_parameters.ValidAlgorithms?.Any() != true)
        {
            throw new InvalidOperationException("No signing algorithm is allowed: set Auth__Algorithms to asymmetric ones (RS256, ES256...).");
        }
    }

    public async Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var token = BearerToken(request);
        if (token is null)
        {
            throw Problems.Unauthorized(ProblemCodes.AuthenticationRequired, "Send Authorization: Bearer <token>.");
        }

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, _parameters);
        }
        catch (Exception exception) when (IsKeySourceOutage(exception))
        {
            throw KeySourceOutage(exception);
        }

        if (!result.IsValid && IsKeySourceOutage(result.Exception))
        {
            throw KeySourceOutage(result.Exception!);
        }

        // IdentityModel carries on without keys when it cannot fetch them, so "no key for this kid"
        // may mean the provider is unreachable: ask for the keys once to tell the two apart.
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && _parameters.ConfigurationManager is { } keys)
        {
            try
            {
                await keys.GetBaseConfigurationAsync(ct);
            }
            catch (Exception exception) when (IsKeySourceOutage(exception))
            {
                throw KeySourceOutage(exception);
            }
        }

        if (!result.IsValid)
        {
            // The reason goes to the log (never the token); the client only learns that it was rejected.
            _logger.LogInformation("Bearer token rejected: {Reason}", result.Exception?.GetType().Name ?? "invalid");
            throw Problems.Unauthorized(ProblemCodes.InvalidToken, "The bearer token is invalid or expired.");
        }

        // Without iat (or nbf) the lifetime is what is left of it.
        var jwt = (JsonWebToken)result.SecurityToken;
        var issuedAt = jwt.IssuedAt != DateTime.MinValue ? jwt.IssuedAt : jwt.ValidFrom != DateTime.MinValue ? jwt.ValidFrom : DateTime.UtcNow;
        if (jwt.ValidTo - issuedAt > _maxLifetime)
        {
            _logger.LogInformation("Bearer token rejected: issued for {LifetimeMinutes} minutes, over Auth__MaxTokenLifetimeMinutes", (int)(jwt.ValidTo - issuedAt).TotalMinutes);
            throw Problems.Unauthorized(ProblemCodes.InvalidToken, "The bearer token is invalid or expired.");
        }

        if (result.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var sub) && sub is string userId && userId.Length is > 0 and <= 256)
        {
            return new Caller(userId) { ExpiresAt = new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero) };
        }

        _logger.LogInformation("Bearer token rejected: no usable sub claim");
        throw Problems.Unauthorized(ProblemCodes.InvalidToken, "The bearer token is invalid or expired.");
    }

    // Keys that could not be fetched say nothing about the token: that is our outage (503), and
    // answering 401 would sign every user out of the app.
    private bool IsKeySourceOutage(Exception? exception) =>
        _parameters.ConfigurationManager is not null && exception is InvalidOperationException or HttpRequestException or IOException;

    private ApiProblemException KeySourceOutage(Exception exception)
    {
        _logger.LogError("Signing keys unavailable: {Error}", exception.Message);
        return Problems.AuthenticationUnavailable();
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }
}
