using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;

namespace NanoBanana.Functions.Tests.Front;

/// <summary>
/// One body limit, through a real Kestrel server on a real port whose limit is the app's own
/// KestrelServerOptions, as the worker's is (the Functions host's 100 MB sits in front of it): found
/// under the real host, where a body over Kestrel's default 30,000,000 bytes answered 500 with no body.
/// </summary>
public sealed class FrontBodyLimitTests
{
    [Fact]
    public async Task ABodyOverKestrelsDefault_ButUnderApiMaxBodyBytes_IsRead()
    {
        // Arrange: the default Api__MaxBodyBytes (31,457,280); a valid create of about 30,100,000 bytes, nearly all
        // of it five references' base64 (the rest of a body is capped far lower: Api__MaxFieldBytes).
        await using var app = await FunctionApp.StartAsync();
        await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(RunWorker: false));
        using var http = new HttpClient { BaseAddress = new Uri(front.BaseUrl) };
        var reference = new byte[4_515_000];
        TestImages.Png.CopyTo(reference, 0);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { prompt = "a banana", images = Enumerable.Repeat(TestImages.Part("image/png", reference), 5) });
        Assert.InRange(body.Length, 30_000_001, 31_457_280);

        // Act
        using var response = await http.SendAsync(Create(body, chunked: false));

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData(false)] // declared: refused before reading
    [InlineData(true)] // chunked: Kestrel stops the read at its limit
    public async Task ABodyOverTheLimit_Gets413ProblemJson_NotA500(bool chunked)
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings => settings["Api:MaxBodyBytes"] = "65536");
        await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(RunWorker: false));
        using var http = new HttpClient { BaseAddress = new Uri(front.BaseUrl) };
        var body = Encoding.UTF8.GetBytes("{\"prompt\": \"" + new string('x', 200_000) + "\"}");

        // Act
        using var response = await http.SendAsync(Create(body, chunked));

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("payload_too_large", problem.RootElement.GetProperty("code").GetString());
    }

    private static HttpRequestMessage Create(byte[] body, bool chunked)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/generations")
        {
            Content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(TestTokens.NewUserId()));
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return request;
    }

    /// <summary>No length to tell HttpClient, so it sends the body chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
