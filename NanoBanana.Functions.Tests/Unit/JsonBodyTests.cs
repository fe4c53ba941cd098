using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class JsonBodyTests
{
    private static HttpRequest Request(string body, long? contentLength, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentLength = contentLength;
        context.Request.ContentType = contentType;
        return context.Request;
    }

    [Fact]
    public async Task Read_EnforcesTheCapWhileReading_WhenNoContentLengthIsDeclared()
    {
        // Arrange: a chunked upload says nothing about its size up front.
        var request = Request($$"""{"prompt":"{{new string('x', 5000)}}"}""", contentLength: null);

        // Act
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => JsonBody.ReadAsync<CreateGenerationRequest>(request, 1024, CancellationToken.None));

        // Assert
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem.Status);
    }

    [Fact]
    public async Task Read_GrowsItsBufferAsBytesCome_NotFromTheDeclaredLength()
    {
        // Arrange: a client declares 30 MB (under the cap) and sends a few bytes. The body stream
        // completes synchronously, so the whole read runs on this thread and its allocations are countable.
        var request = Request("""{"prompt":"p"}""", contentLength: 30_000_000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        var body = await JsonBody.ReadAsync<CreateGenerationRequest>(request, 31_457_280, CancellationToken.None);

        // Assert
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("p", body.Prompt);
        Assert.True(allocated < 1_000_000, $"reading a 14-byte body allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task Read_RejectsADeclaredLengthOverTheCap_BeforeReading()
    {
        // Arrange
        var request = Request("{}", contentLength: 10_000_000);

        // Act
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => JsonBody.ReadAsync<CreateGenerationRequest>(request, 1024, CancellationToken.None));

        // Assert
        Assert.Equal(ProblemCodes.PayloadTooLarge, problem.Code);
        Assert.Equal(0, request.Body.Position);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/problem+json")]
    public async Task Read_AcceptsJsonMediaTypes(string contentType)
    {
        // Act
        var body = await JsonBody.ReadAsync<CreateGenerationRequest>(Request("""{"prompt":"hi"}""", 15, contentType), 1024, CancellationToken.None);

        // Assert
        Assert.Equal("hi", body.Prompt);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Read_RejectsOtherMediaTypes_With415(string contentType)
    {
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() =>
            JsonBody.ReadAsync<CreateGenerationRequest>(Request("""{"prompt":"hi"}""", 15, contentType), 1024, CancellationToken.None));

        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, problem.Status);
    }
}
