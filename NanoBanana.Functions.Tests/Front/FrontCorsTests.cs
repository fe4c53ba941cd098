using System.Net;
using System.Net.Http.Headers;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Front;

/// <summary>
/// The front applies CORS as Core Tools does from local.settings.json's Host section, and the API names
/// the headers a page on another origin must be able to read.
/// </summary>
public sealed class FrontCorsTests(FrontFixture fixture) : IClassFixture<FrontFixture>
{
    [Fact]
    public async Task APreflightFromAnAllowedOrigin_IsAnswered_ForTheHeadersTheClientSends()
    {
        // Act
        using var response = await fixture.Http.SendAsync(Preflight(FrontFixture.PageOrigin, "POST", "authorization,content-type,idempotency-key"));

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(FrontFixture.PageOrigin, Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal("POST", Single(response, "Access-Control-Allow-Methods"));
        Assert.Equal("authorization,content-type,idempotency-key", Single(response, "Access-Control-Allow-Headers"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task APreflightFromAnotherOrigin_GetsNoPermission()
    {
        // Act
        using var response = await fixture.Http.SendAsync(Preflight("http://evil.example", "GET", "authorization"));

        // Assert: the browser refuses the call, since nothing allows its origin.
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task APoll_FromTheAllowedOrigin_LetsThePageReadTheETagAndRetryAfter()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await fixture.App.Api.CreateGenerationAsync(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/generations/{generation.Id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Origin", FrontFixture.PageOrigin);

        // Act
        using var response = await fixture.Http.SendAsync(request);

        // Assert
        Assert.Equal(FrontFixture.PageOrigin, Single(response, "Access-Control-Allow-Origin"));
        var exposed = Single(response, "Access-Control-Expose-Headers").Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("ETag", exposed);
        Assert.Contains("Retry-After", exposed);
    }

    [Fact]
    public async Task AProblem_LetsThePageReadItsRetryAfterAndWwwAuthenticate()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/generations");
        request.Headers.Add("Origin", FrontFixture.PageOrigin);

        // Act
        using var response = await fixture.Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var exposed = Single(response, "Access-Control-Expose-Headers").Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("WWW-Authenticate", exposed);
        Assert.Contains("Retry-After", exposed);
    }

    [Fact]
    public async Task CorsCredentials_AllowsCredentials()
    {
        // Arrange
        await using var front = await HttpFront.StartAsync(fixture.App, new HttpFrontOptions(Cors: new HostCors([FrontFixture.PageOrigin], Credentials: true), RunWorker: false));
        using var http = new HttpClient { BaseAddress = new Uri(front.BaseUrl) };

        // Act
        using var response = await http.SendAsync(Preflight(FrontFixture.PageOrigin, "GET", "authorization"));

        // Assert
        Assert.Equal("true", Single(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task WithoutHostCors_APreflightFindsNoRoute_AsOnTheHost()
    {
        // Arrange
        await using var front = await HttpFront.StartAsync(fixture.App, new HttpFrontOptions(RunWorker: false));
        using var http = new HttpClient { BaseAddress = new Uri(front.BaseUrl) };

        // Act
        using var response = await http.SendAsync(Preflight(FrontFixture.PageOrigin, "GET", "authorization"));

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public void HostCors_IsReadFromTheLocalSettingsShape()
    {
        // Arrange
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            {
              // comments, as Core Tools allows
              "Values": { "Api__PollAfterSeconds": "7" },
              "Host": { "CORS": "http://127.0.0.1:5173, http://localhost:5173", "CORSCredentials": true }
            }
            """);

        // Act
        var settings = LocalSettingsFile.Read(path);
        var cors = HostCors.From(settings);
        File.Delete(path);

        // Assert
        Assert.Equal(["http://127.0.0.1:5173", "http://localhost:5173"], cors!.Origins);
        Assert.True(cors.Credentials);
        Assert.Equal("7", settings.ConfigurationValues.Single(v => v.Key == "Api:PollAfterSeconds").Value);
    }

    private static HttpRequestMessage Preflight(string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/generations");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);
}
