using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>Bodies built to make the API allocate: refused, with a bounded answer and bounded memory (issue 20, item 1).</summary>
public sealed class HostileBodyTests
{
    private const int BodyCap = 30 * 1024 * 1024;

    /// <summary><c>{"prompt":"x","f0":0,"f1":0,...}</c> up to about <paramref name="bytes"/>: the review's 30 MB body.</summary>
    internal static byte[] UnknownMemberFlood(int bytes)
    {
        var json = new StringBuilder(bytes + 32).Append("{\"prompt\":\"x\"");
        for (var i = 0; json.Length < bytes - 16; i++)
        {
            json.Append(",\"f").Append(i).Append("\":0");
        }

        return Encoding.UTF8.GetBytes(json.Append('}').ToString());
    }

    private static HttpRequest Request(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";
        return context.Request;
    }

    [Fact]
    public async Task UnknownMemberFlood_IsRefusedWithFiveNames_AndAllocatesUnderThreeTimesTheBody()
    {
        // Arrange: no field cap below the body cap, so the unknown members themselves are what is measured.
        var body = UnknownMemberFlood(BodyCap - 1024);
        var request = Request(body);

        // Act: MemoryStream completes synchronously, so every allocation lands on this thread.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => JsonBody.ReadAsync<CreateGenerationRequest>(request, BodyCap, CancellationToken.None));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.Equal(ProblemCodes.UnknownField, problem.Code);
        Assert.Equal(["f0", "f1", "f2", "f3", "f4"], problem.Errors!.Select(e => e.Field));
        Assert.Contains("unknown fields; the first 5 are listed", problem.Detail);
        Assert.True(allocated < 3L * body.Length, $"allocated {allocated:N0} bytes for a {body.Length:N0}-byte body");
    }

    [Fact]
    public async Task UnknownMemberFlood_IsRefusedWith413_AtTheFieldCap()
    {
        // Arrange
        var request = Request(UnknownMemberFlood(BodyCap - 1024));

        // Act
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => JsonBody.ReadAsync<CreateGenerationRequest>(request, BodyCap, CancellationToken.None, 128 * 1024));

        // Assert
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem.Status);
        Assert.Equal(ProblemCodes.FieldsTooLarge, problem.Code);
    }

    [Theory]
    [InlineData("a huge prompt")]
    [InlineData("a flood of null images")]
    [InlineData("a huge unknown string")]
    public async Task OversizedFields_AreRefusedWith413_ThoughTheBodyIsUnderItsCap(string kind)
    {
        // Arrange
        var filler = new string('x', 300_000);
        var json = kind switch
        {
            "a huge prompt" => $$"""{"prompt":"{{filler}}"}""",
            "a flood of null images" => $$"""{"prompt":"p","images":[{{string.Join(',', Enumerable.Repeat("null", 100_000))}}]}""",
            _ => $$"""{"prompt":"p","extra":"{{filler}}"}""",
        };

        // Act
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() =>
            JsonBody.ReadAsync<CreateGenerationRequest>(Request(Encoding.UTF8.GetBytes(json)), BodyCap, CancellationToken.None, 128 * 1024));

        // Assert
        Assert.Equal(ProblemCodes.FieldsTooLarge, problem.Code);
    }

    [Fact]
    public async Task ImageData_DoesNotCountTowardsTheFieldCap()
    {
        // Arrange: 300 KB of base64 image data under a 128 KiB field cap.
        var data = Convert.ToBase64String(TestImages.Png.Concat(new byte[225_000]).ToArray());
        var json = $$"""{"prompt":"p","images":[{"mimeType":"image/png","data":"{{data}}"}]}""";

        // Act
        var body = await JsonBody.ReadAsync<CreateGenerationRequest>(Request(Encoding.UTF8.GetBytes(json)), BodyCap, CancellationToken.None, 128 * 1024);

        // Assert
        Assert.Equal(TestImages.Png.Length + 225_000, Assert.Single(body.Images!)!.Data!.Length);
    }

    [Fact]
    public async Task UnknownMembersOfAnImage_AreNamedWithTheirPath()
    {
        // Arrange
        var json = """{"prompt":"p","images":[{"mimeType":"image/png","data":"AA==","caption":"x"}],"userId":"u"}""";

        // Act
        var problem = await Assert.ThrowsAsync<ApiProblemException>(() =>
            JsonBody.ReadAsync<CreateGenerationRequest>(Request(Encoding.UTF8.GetBytes(json)), BodyCap, CancellationToken.None, 128 * 1024));

        // Assert
        Assert.Equal(["images[0].caption", "userId"], problem.Errors!.Select(e => e.Field));
    }
}
