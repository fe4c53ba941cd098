using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Auth;

/// <summary>
/// App Service Authentication (Easy Auth) signs the user in before the request reaches the app and
/// passes who it is in X-MS-CLIENT-PRINCIPAL (base64 JSON) and X-MS-CLIENT-PRINCIPAL-ID. The platform
/// strips these headers from incoming requests, which is the only reason to trust them: so this
/// mode refuses to start in Azure unless Easy Auth is on (see AuthServiceCollectionExtensions).
/// </summary>
public sealed class AppServiceCallerAuthenticator(ILogger<AppServiceCallerAuthenticator> logger) : ICallerAuthenticator
{
    private static readonly string[] UserIdClaims =
    [
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
        "sub",
    ];

    public Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var encoded = request.Headers["X-MS-CLIENT-PRINCIPAL"].ToString();
        if (encoded.Length == 0)
        {
            throw Problems.Unauthorized(ProblemCodes.AuthenticationRequired, "Sign in through the app's authentication provider.");
        }

        var userId = UserIdFrom(encoded) ?? request.Headers["X-MS-CLIENT-PRINCIPAL-ID"].ToString();
        if (userId is not { Length: > 0 and <= 256 })
        {
            logger.LogWarning("X-MS-CLIENT-PRINCIPAL present but without a user id claim");
            throw Problems.Unauthorized(ProblemCodes.InvalidToken, "The signed-in principal has no user id.");
        }

        return Task.FromResult(new Caller(userId));
    }

    private string? UserIdFrom(string encoded)
    {
        try
        {
            using var principal = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            var claims = principal.RootElement.GetProperty("claims").EnumerateArray()
                .Select(c => (Type: c.GetProperty("typ").GetString(), Value: c.GetProperty("val").GetString()))
                .ToList();
            return UserIdClaims.Select(type => claims.FirstOrDefault(c => c.Type == type).Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        }
        catch (Exception exception) when (exception is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning("X-MS-CLIENT-PRINCIPAL could not be read: {Error}", exception.GetType().Name);
            throw Problems.Unauthorized(ProblemCodes.InvalidToken, "The signed-in principal could not be read.");
        }
    }
}
