using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Tests.Unit;

public sealed class ValidatedTokenCacheTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Mock<ICallerAuthenticator> _tokens = new();

    [Fact]
    public async Task Authenticate_ValidatesAToken_OnceUntilItExpires()
    {
        // Arrange
        var cache = Cache(entries: 100);
        Validates("token-a", "alice", expiresIn: TimeSpan.FromMinutes(10));

        // Act
        var first = await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);
        var again = await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var expired = await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);

        // Assert
        Assert.Equal("alice", first.UserId);
        Assert.Same(first, again);
        Assert.Equal("alice", expired.UserId);
        _tokens.Verify(t => t.AuthenticateAsync(It.IsAny<HttpRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Authenticate_RemembersALongLivedToken_AtMostFiveMinutes()
    {
        // Arrange: a token good for a day.
        var cache = Cache(entries: 100);
        Validates("token-a", "alice", expiresIn: TimeSpan.FromDays(1));

        // Act
        await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(4));
        await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);

        // Assert: validated at 0 and again past 5 minutes.
        _tokens.Verify(t => t.AuthenticateAsync(It.IsAny<HttpRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Authenticate_TellsTokensApart()
    {
        // Arrange
        var cache = Cache(entries: 100);
        Validates("token-a", "alice", TimeSpan.FromMinutes(10));
        Validates("token-b", "bob", TimeSpan.FromMinutes(10));

        // Act
        var alice = await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);
        var bob = await cache.AuthenticateAsync(Request("token-b"), CancellationToken.None);
        var aliceAgain = await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);

        // Assert
        Assert.Equal(["alice", "bob", "alice"], new[] { alice.UserId, bob.UserId, aliceAgain.UserId });
    }

    [Fact]
    public async Task Authenticate_ChecksARejectedTokenEveryTime()
    {
        // Arrange
        var cache = Cache(entries: 100);
        _tokens.Setup(t => t.AuthenticateAsync(It.IsAny<HttpRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(Problems.Unauthorized(ProblemCodes.InvalidToken, "The bearer token is invalid or expired."));

        // Act
        await Assert.ThrowsAsync<ApiProblemException>(() => cache.AuthenticateAsync(Request("forged"), CancellationToken.None));
        await Assert.ThrowsAsync<ApiProblemException>(() => cache.AuthenticateAsync(Request("forged"), CancellationToken.None));

        // Assert
        _tokens.Verify(t => t.AuthenticateAsync(It.IsAny<HttpRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Authenticate_WithNoEntries_ValidatesEveryCall()
    {
        // Arrange
        var cache = Cache(entries: 0);
        Validates("token-a", "alice", TimeSpan.FromMinutes(10));

        // Act
        await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);
        await cache.AuthenticateAsync(Request("token-a"), CancellationToken.None);

        // Assert
        _tokens.Verify(t => t.AuthenticateAsync(It.IsAny<HttpRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Authenticate_WithoutAToken_AsksTheValidator()
    {
        // Arrange: the validator is the one that answers 401 authentication_required.
        var cache = Cache(entries: 100);
        _tokens.Setup(t => t.AuthenticateAsync(It.IsAny<HttpRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(Problems.Unauthorized(ProblemCodes.AuthenticationRequired, "Send Authorization: Bearer <token>."));

        // Act
        var refused = await Assert.ThrowsAsync<ApiProblemException>(() => cache.AuthenticateAsync(new DefaultHttpContext().Request, CancellationToken.None));

        // Assert
        Assert.Equal(ProblemCodes.AuthenticationRequired, refused.Code);
    }

    private ValidatedTokenCache Cache(int entries) =>
        new(_tokens.Object, Options.Create(new AuthOptions { TokenCacheEntries = entries }), _clock);

    private void Validates(string token, string userId, TimeSpan expiresIn) =>
        _tokens.Setup(t => t.AuthenticateAsync(It.Is<HttpRequest>(r => r.Headers.Authorization == "Bearer " + token), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new Caller(userId) { ExpiresAt = _clock.GetUtcNow() + expiresIn });

    private static HttpRequest Request(string token) =>
        new DefaultHttpContext { Request = { Headers = { Authorization = "Bearer " + token } } }.Request;
}
