using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;
using Google.Apis.Auth.OAuth2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Moq;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Gemini;

/// <summary>The Vertex credentials a deployment in Azure can use, against a local stand-in for Google's token endpoints.</summary>
public sealed class VertexCredentialsTests : IAsyncDisposable
{
    private readonly ConcurrentQueue<IFormCollection> _tokenRequests = new();
    private WebApplication? _google;

    [Fact]
    public async Task WorkloadIdentity_ExchangesTheManagedIdentitysEntraToken_AtGoogleSts()
    {
        // Arrange: the managed identity hands out an Entra token for the configured app ID URI.
        var sts = await StartGoogleAsync();
        var azure = new Mock<TokenCredential>(MockBehavior.Strict);
        azure.Setup(c => c.GetTokenAsync(It.Is<TokenRequestContext>(r => r.Scopes.SequenceEqual(new[] { "api://nanobanana-vertex/.default" })), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new AccessToken("entra-token-for-google", DateTimeOffset.UtcNow.AddHours(1)));
        var options = new GeminiOptions { VertexAzureAppIdUri = "api://nanobanana-vertex/" };
        const string provider = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/azure/providers/nanobanana";

        // Act
        var credential = VertexCredentials.FromAzureManagedIdentity(provider, options, azure.Object, sts + "/v1/token")
            .CreateScoped("https://www.googleapis.com/auth/cloud-platform");
        var token = await ((ITokenAccess)credential).GetAccessTokenForRequestAsync();

        // Assert
        Assert.Equal("google-access-token", token);
        var exchange = Assert.Single(_tokenRequests);
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", exchange["grant_type"]);
        Assert.Equal("entra-token-for-google", exchange["subject_token"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", exchange["subject_token_type"]);
        Assert.Equal(provider, exchange["audience"]);
    }

    [Fact]
    public async Task ServiceAccountJson_SignsAnAssertion_ForTheKeysAccount()
    {
        // Arrange: a key file's JSON as Key Vault would hand it over, its token endpoint local.
        var google = await StartGoogleAsync();
        using var rsa = RSA.Create(2048);
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "banana-project",
            ["private_key_id"] = "key-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "nanobanana@banana-project.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = google + "/token",
        });

        // Act
        var credential = (await VertexCredentials.CreateAsync(new GeminiOptions { VertexCredentialsJson = json }, CancellationToken.None))
            .CreateScoped("https://www.googleapis.com/auth/cloud-platform");
        var token = await ((ITokenAccess)credential).GetAccessTokenForRequestAsync();

        // Assert
        Assert.Equal("google-access-token", token);
        var request = Assert.Single(_tokenRequests);
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", request["grant_type"]);
        var assertion = new JsonWebToken(request["assertion"].ToString());
        Assert.Equal("nanobanana@banana-project.iam.gserviceaccount.com", assertion.Issuer);
    }

    [Fact]
    public void Options_RefuseTwoCredentialSources()
    {
        var options = new GeminiOptions
        {
            Backend = GeminiBackend.Vertex,
            VertexProjectId = "banana-project",
            VertexCredentialsJson = "{}",
            VertexWorkloadIdentityProvider = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/q",
        };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Set only one of Gemini__VertexCredentialsFile"));
    }

    private async Task<string> StartGoogleAsync()
    {
        var (app, baseUrl) = await LoopbackServer.StartAsync(app =>
        {
            var token = async (HttpContext context) =>
            {
                _tokenRequests.Enqueue(await context.Request.ReadFormAsync());
                await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["access_token"] = "google-access-token",
                    ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                    ["token_type"] = "Bearer",
                    ["expires_in"] = 3600,
                });
            };
            app.MapPost("/v1/token", token);
            app.MapPost("/token", token);
        });
        _google = app;
        return baseUrl;
    }

    public async ValueTask DisposeAsync()
    {
        if (_google is not null)
        {
            await _google.DisposeAsync();
        }
    }
}
