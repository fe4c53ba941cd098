using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>App Service Authentication's principal headers: trusted in that mode only.</summary>
public sealed class AppServiceAuthTests
{
    private static string Principal(string userId) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        claims = new[]
        {
            new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = userId },
            new { typ = "name", val = "Someone" },
        },
        name_typ = "name",
        role_typ = "roles",
    })));

    [Fact]
    public async Task InAppServiceAuthMode_ThePrincipalHeaderIdentifiesTheCaller()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Auth:Mode"] = "AppServiceAuth");
        var userId = TestTokens.NewUserId();
        var headers = new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL"] = Principal(userId), ["X-MS-CLIENT-PRINCIPAL-ID"] = userId };

        // Act
        var created = await app.Api.CreateAsync(token: null, new { prompt = "p" }, headers);
        var anonymous = await app.Api.CreateAsync(token: null, new { prompt = "p" });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal(1, await app.CountRowsAsync(userId));
        Assert.Equal(StatusCodes.Status401Unauthorized, anonymous.Status);
    }

    [Fact]
    public async Task InJwtMode_ThePrincipalHeaderIsIgnored()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var userId = TestTokens.NewUserId();

        // Act
        var response = await app.Api.CreateAsync(token: null, new { prompt = "p" },
            new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL"] = Principal(userId), ["X-MS-CLIENT-PRINCIPAL-ID"] = userId });

        // Assert
        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
        Assert.Equal(0, await app.CountRowsAsync(userId));
    }
}
