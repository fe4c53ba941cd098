using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class GetGenerationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    [Fact]
    public async Task Get_WithTheCurrentETag_Returns304WithoutABody_AndStillHintsWhenToPoll()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        var first = await _app.Api.GetAsync(token, generation.Id.ToString());

        // Act
        var poll = await _app.Api.GetAsync(token, generation.Id.ToString(), ifNoneMatch: first.Headers.ETag);

        // Assert
        Assert.Equal(StatusCodes.Status304NotModified, poll.Status);
        Assert.Empty(poll.Body);
        Assert.Equal(first.Headers.ETag.ToString(), poll.Headers.ETag.ToString());
        Assert.Equal("10", poll.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Get_AfterTheGenerationChanged_Returns200WithANewETag()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(token);
        var first = await _app.Api.GetAsync(token, generation.Id.ToString());
        await _app.Api.CancelAsync(token, generation.Id.ToString());

        // Act
        var poll = await _app.Api.GetAsync(token, generation.Id.ToString(), ifNoneMatch: first.Headers.ETag);

        // Assert
        Assert.Equal(StatusCodes.Status200OK, poll.Status);
        Assert.NotEqual(first.Headers.ETag.ToString(), poll.Headers.ETag.ToString());
        Assert.Equal("cancelled", poll.Generation.Status);
        // Terminal: no more polling hints.
        Assert.Null(poll.Generation.PollAfterSeconds);
        Assert.False(poll.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task Get_AnotherUsersGeneration_Is404_ExactlyLikeAMissingOne()
    {
        // Arrange
        var owner = TestTokens.For(TestTokens.NewUserId());
        var intruder = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(owner);

        // Act
        var foreign = await _app.Api.GetAsync(intruder, generation.Id.ToString());
        var missing = await _app.Api.GetAsync(intruder, Guid.NewGuid().ToString());

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, foreign.Status);
        Assert.Equal("generation_not_found", foreign.ProblemCode);
        Assert.Equal(missing.Status, foreign.Status);
        Assert.Equal(missing.Json.GetProperty("detail").GetString(), foreign.Json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_WithIfNoneMatch_AnotherUsersGeneration_Is404_EvenWithItsETag()
    {
        // Arrange: the conditional poll reads the version alone; it must be fenced like the whole row.
        var owner = TestTokens.For(TestTokens.NewUserId());
        var intruder = TestTokens.For(TestTokens.NewUserId());
        var generation = await _app.Api.CreateGenerationAsync(owner);
        var etag = (await _app.Api.GetAsync(owner, generation.Id.ToString())).Headers.ETag.ToString();

        // Act
        var foreign = await _app.Api.GetAsync(intruder, generation.Id.ToString(), ifNoneMatch: etag);
        var wildcard = await _app.Api.GetAsync(intruder, generation.Id.ToString(), ifNoneMatch: "*");

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, foreign.Status);
        Assert.Equal("generation_not_found", foreign.ProblemCode);
        Assert.Equal(StatusCodes.Status404NotFound, wildcard.Status);
        Assert.False(foreign.Headers.ContainsKey("ETag"));
    }

    [Fact]
    public async Task Get_WithIfNoneMatch_ForAMissingGeneration_Is404()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var poll = await _app.Api.GetAsync(token, Guid.NewGuid().ToString(), ifNoneMatch: "W/\"1\"");

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, poll.Status);
        Assert.Equal("generation_not_found", poll.ProblemCode);
    }

    [Fact]
    public async Task Get_WithAnIdThatIsNotAUuid_Is404()
    {
        // Act
        var response = await _app.Api.GetAsync(TestTokens.For(TestTokens.NewUserId()), "not-a-uuid");

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, response.Status);
        Assert.Equal("generation_not_found", response.ProblemCode);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("wrong issuer")]
    [InlineData("wrong audience")]
    [InlineData("wrong key")]
    [InlineData("garbage")]
    public async Task Get_WithABadToken_Is401(string kind)
    {
        // Arrange
        var userId = TestTokens.NewUserId();
        var token = kind switch
        {
            "expired" => TestTokens.For(userId, expires: DateTime.UtcNow.AddMinutes(-5)),
            "wrong issuer" => TestTokens.For(userId, issuer: "https://evil.example"),
            "wrong audience" => TestTokens.For(userId, audience: "another-api"),
            "wrong key" => TestTokens.For(userId, signingKey: "another-signing-key-0123456789-abcdefghijklmnop"),
            _ => "not.a.jwt",
        };

        // Act
        var response = await _app.Api.GetAsync(token, Guid.NewGuid().ToString());

        // Assert
        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
        Assert.Equal("invalid_token", response.ProblemCode);
        Assert.Contains("invalid_token", response.Headers.WWWAuthenticate.ToString());
        Assert.DoesNotContain(token, string.Join('\n', _app.Logs.Lines.Select(l => l.Message)));
    }
}
