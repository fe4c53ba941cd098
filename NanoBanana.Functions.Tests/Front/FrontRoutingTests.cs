using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Tests.Hosting;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Front;

/// <summary>
/// The HTTP front routes by the built functions.metadata and host.json, as the Functions host does:
/// every HTTP function answers at its route and method under the prefix, and nothing else does.
/// </summary>
public sealed class FrontRoutingTests(FrontFixture fixture) : IClassFixture<FrontFixture>
{
    [Fact]
    public void TheFront_ReadsEveryHttpFunctionOfTheMetadata_WithItsRouteMethodsAndAuthLevel()
    {
        // Act
        var routes = FunctionsMetadata.Load(FunctionsOutput.Directory).Http
            .Select(f => (f.Name, "httpTrigger", f.Route, string.Join(',', f.Methods!).ToLowerInvariant(), f.AuthLevel))
            .Order();

        // Assert: the same table FunctionsMetadataTests pins.
        Assert.Equal(
            FunctionsMetadataTests.HttpFunctions.Select(row => ((string)row[0], (string)row[1], (string)row[2], (string)row[3], (string)row[4])).Order(),
            routes);
    }

    [Theory]
    [MemberData(nameof(FunctionsMetadataTests.HttpFunctions), MemberType = typeof(FunctionsMetadataTests))]
    public async Task EveryHttpFunction_AnswersAtItsRouteAndMethod(string name, string trigger, string route, string method, string authLevel)
    {
        // Arrange: no token; keys are not checked (as under func start), so Function and Admin levels answer too.
        var path = "/api/" + route.Replace("{id}", Guid.NewGuid().ToString("D"));

        // Act
        using var response = await fixture.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        // Assert: the function answered (a body with a type), not the front's bare 404 for "no route".
        Assert.True(response.Content.Headers.ContentType is not null, $"{name} ({trigger}, {authLevel}) at {method} {path}: {(int)response.StatusCode} without a body");
        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.OK, $"{name}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task AGeminiWebhook_IsVerifiedOnTheBytesAsTheyCameOverHttp()
    {
        // Arrange: Google's envelope, signed as Standard Webhooks says (HMAC-SHA256 of "id.timestamp.body").
        var body = """{"type":"batch.succeeded","version":"v1","data":{"id":"batches/not-ours","output_file_uri":"files/x"}}""";
        var timestamp = fixture.App.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(FrontFixture.GeminiWebhookKey, System.Text.Encoding.UTF8.GetBytes($"msg_front.{timestamp}.{body}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/gemini/webhooks") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", "msg_front");
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(mac));

        // Act
        using var response = await fixture.Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unknown_job", (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("PUT", "/api/generations")]
    [InlineData("PATCH", "/api/generations/0b7e5c9e-6a32-4a57-9a1e-0b8d1c2f3a4b")]
    [InlineData("GET", "/api/generations/0b7e5c9e-6a32-4a57-9a1e-0b8d1c2f3a4b/cancel")]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("GET", "/generations")]
    [InlineData("GET", "/api/generations/0b7e5c9e-6a32-4a57-9a1e-0b8d1c2f3a4b/image/extra")]
    public async Task APathOrMethodNoFunctionTakes_Is404(string method, string path)
    {
        // Act
        using var response = await fixture.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AGeneration_GoesThroughTheFront_FromCreateToImage()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act: create, then poll as a phone would until the worker behind the front has finished.
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/generations") { Content = JsonContent.Create(new { prompt = "a banana on a bike" }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var created = await fixture.Http.SendAsync(create);
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString();
        var status = "pending";
        for (var poll = 0; poll < 100 && status is "pending" or "processing"; poll++)
        {
            await Task.Delay(100);
            using var get = await SendAsync(HttpMethod.Get, $"/api/generations/{id}", token);
            status = (await get.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("status").GetString();
        }

        using var image = await SendAsync(HttpMethod.Get, $"/api/generations/{id}/image", token);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        Assert.Equal($"/api/generations/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("completed", status);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AConditionalGet_IsAnsweredByTheFunction_With304()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await fixture.App.Api.CreateGenerationAsync(token);
        await fixture.App.Api.CancelAsync(token, generation.Id.ToString());
        using var first = await SendAsync(HttpMethod.Get, $"/api/generations/{generation.Id}", token);

        // Act
        using var poll = new HttpRequestMessage(HttpMethod.Get, $"/api/generations/{generation.Id}");
        poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        poll.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await fixture.Http.SendAsync(poll);

        // Assert
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task AnException_BecomesProblemJson_ThroughTheHarnessPath()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generations") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fixture.Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_json", (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return fixture.Http.SendAsync(request);
    }
}
