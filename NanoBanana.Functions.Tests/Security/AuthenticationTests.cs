using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>Bearer tokens from an OpenID Connect provider, with keys read from its metadata over HTTP.</summary>
public sealed class AuthenticationTests(AuthenticationTests.OidcApp fixture) : IClassFixture<AuthenticationTests.OidcApp>
{
    private readonly FakeIdentityProvider _idp = fixture.Idp;
    private readonly RsaSecurityKey _key = fixture.Key;
    private readonly FunctionApp _app = fixture.App;

    internal static void OidcSettings(Dictionary<string, string?> settings, FakeIdentityProvider idp)
    {
        settings["Auth:SigningKey"] = null;
        settings["Auth:Authority"] = idp.Issuer;
        settings["Auth:Issuer"] = idp.Issuer;
        settings["Auth:Audience"] = FakeIdentityProvider.Audience;
        settings["Auth:RequireHttpsMetadata"] = "false"; // the fake provider speaks plain HTTP on loopback
    }

    [Fact]
    public async Task AValidToken_IsAccepted_AndItsSubIsTheCaller()
    {
        var token = _idp.Token("oidc-user-1", _key);

        var created = await _app.Api.CreateAsync(token, new { prompt = "p" });
        var listed = await _app.Api.ListAsync(token);

        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        Assert.Equal(created.Generation.Id, listed.Read<NanoBanana.Functions.Api.GenerationPageResponse>().Items.Single().Id);
        Assert.Equal(1, await _app.CountRowsAsync("oidc-user-1"));
    }

    [Theory]
    [InlineData("no token")]
    [InlineData("bad signature")]
    [InlineData("wrong issuer")]
    [InlineData("wrong audience")]
    [InlineData("expired")]
    [InlineData("alg none")]
    [InlineData("unknown kid")]
    [InlineData("HS256 signed with the public key")]
    [InlineData("garbage")]
    [InlineData("issued for 30 days")]
    [InlineData("an ID token (typ id+jwt)")]
    [InlineData("a logout token (typ logout+jwt)")]
    public async Task ABadToken_Is401_WithWwwAuthenticate_AndNoReason(string kind)
    {
        // Arrange
        var user = TestTokens.NewUserId();
        var token = kind switch
        {
            "no token" => null,
            "bad signature" => _idp.Token(user, new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "key-1" }),
            "wrong issuer" => _idp.Token(user, _key, issuer: "https://evil.example"),
            "wrong audience" => _idp.Token(user, _key, audience: "another-api"),
            "expired" => _idp.Token(user, _key, expires: DateTime.UtcNow.AddMinutes(-5)),
            "alg none" => Unsigned(user),
            "unknown kid" => _idp.Token(user, _idp.NewKey("never-published", publish: false)),
            "issued for 30 days" => _idp.Token(user, _key, expires: DateTime.UtcNow.AddDays(30)),
            "an ID token (typ id+jwt)" => _idp.Token(user, _key, tokenType: "id+jwt"),
            "a logout token (typ logout+jwt)" => _idp.Token(user, _key, tokenType: "logout+jwt"),
            "HS256 signed with the public key" => _idp.Token(user,
                new SymmetricSecurityKey(_key.Rsa.ExportSubjectPublicKeyInfo().Concat(new byte[64]).ToArray()) { KeyId = "key-1" }, algorithm: SecurityAlgorithms.HmacSha256),
            _ => "eyJhbGciOi.garbage.token",
        };

        // Act
        var response = await _app.Api.CreateAsync(token, new { prompt = "p" });

        // Assert
        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
        Assert.Equal(token is null ? "authentication_required" : "invalid_token", response.ProblemCode);
        Assert.StartsWith("Bearer", response.Headers.WWWAuthenticate.ToString());
        Assert.Equal(0, await _app.CountRowsAsync(user));
    }

    [Fact]
    public async Task AKeyRotatedInAtTheProvider_IsFetchedAndAccepted_ByTheFirstRequestThatNamesIt()
    {
        // Arrange: a provider and an app of its own, which has read the keys once, with key-1 only.
        await using var idp = await FakeIdentityProvider.StartAsync();
        await using var app = await FunctionApp.StartAsync(settings => OidcSettings(settings, idp));
        Assert.Equal(StatusCodes.Status202Accepted, (await app.Api.CreateAsync(idp.Token(TestTokens.NewUserId(), idp.NewKey("key-1")), new { prompt = "p" })).Status);
        await app.Logs.WaitForAsync(KeysRead);
        var readsBefore = idp.JwksRequests;
        var newKey = idp.NewKey("key-2");

        // Act: the request naming the new kid waits for the keys to be read, then is checked again;
        // a phone must never see its valid token refused as "signed out".
        var revealing = await app.Api.CreateAsync(idp.Token(TestTokens.NewUserId(), newKey), new { prompt = "p" });
        var next = await app.Api.CreateAsync(idp.Token(TestTokens.NewUserId(), newKey), new { prompt = "p" });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, revealing.Status);
        Assert.Equal(StatusCodes.Status202Accepted, next.Status);
        Assert.Equal(readsBefore + 1, idp.JwksRequests);
        Assert.Contains("key-2", app.Logs.Lines.Last(KeysRead).Message);
    }

    [Fact]
    public async Task TokensNamingUnknownKids_ReadTheKeysAtMostOncePerMinimumInterval()
    {
        // Arrange: an attacker sends tokens with kids the provider never published.
        await using var idp = await FakeIdentityProvider.StartAsync();
        await using var app = await FunctionApp.StartAsync(settings => OidcSettings(settings, idp));
        Assert.Equal(StatusCodes.Status202Accepted, (await app.Api.CreateAsync(idp.Token(TestTokens.NewUserId(), idp.NewKey("key-1")), new { prompt = "p" })).Status);
        var readsBefore = idp.JwksRequests;

        // Act
        var answers = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await app.Api.CreateAsync(idp.Token(TestTokens.NewUserId(), idp.NewKey($"forged-{i}", publish: false)), new { prompt = "p" })).Status);
        }

        // Assert: one read (the first unknown kid), then refusals without asking the provider again.
        Assert.All(answers, status => Assert.Equal(StatusCodes.Status401Unauthorized, status));
        Assert.Equal(readsBefore + 1, idp.JwksRequests);
    }

    [Fact]
    public async Task ABareJwksUri_WorksWithoutOidcMetadata()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            OidcSettings(settings, _idp);
            settings["Auth:Authority"] = null;
            settings["Auth:JwksUri"] = _idp.Issuer + "/jwks";
        });

        // Act
        var response = await app.Api.CreateAsync(_idp.Token(TestTokens.NewUserId(), _key), new { prompt = "p" });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
    }

    [Fact]
    public async Task WhenTheIdentityProviderIsDown_RequestsGet503_NotA401ThatSignsUsersOut()
    {
        // Arrange: a provider that answered nothing yet and is gone.
        var gone = await FakeIdentityProvider.StartAsync();
        var key = gone.NewKey("k");
        var token = gone.Token("user-during-outage", key);
        await using var app = await FunctionApp.StartAsync(settings => OidcSettings(settings, gone));
        await gone.DisposeAsync();

        // Act
        var response = await app.Api.CreateAsync(token, new { prompt = "p" });

        // Assert
        Assert.True(response.Status == StatusCodes.Status503ServiceUnavailable, string.Join('\n', app.Logs.Lines.Select(l => l.Message)));
        Assert.Equal("authentication_unavailable", response.ProblemCode);
        Assert.Equal("5", response.Headers.RetryAfter.ToString());
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("at+jwt")]
    public async Task AccessTokenTypes_AreAccepted(string tokenType)
    {
        // Act
        var response = await _app.Api.CreateAsync(_idp.Token(TestTokens.NewUserId(), _key, tokenType: tokenType), new { prompt = "p" });

        // Assert
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
    }

    [Fact]
    public async Task ConfiguredAlgorithms_ReplaceTheDefaults()
    {
        // Arrange: only PS256 allowed, so the provider's RS256 tokens must now be refused.
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            OidcSettings(settings, _idp);
            settings["Auth:Algorithms:0"] = "PS256";
        });

        // Act
        var response = await app.Api.CreateAsync(_idp.Token(TestTokens.NewUserId(), _key), new { prompt = "p" });

        // Assert
        Assert.Equal("invalid_token", response.ProblemCode);
    }

    private string Unsigned(string user)
    {
        static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode($$"""{"sub":"{{user}}","iss":"{{_idp.Issuer}}","aud":"{{FakeIdentityProvider.Audience}}","exp":{{exp}}}""")}.";
    }

    private static bool KeysRead(LogLine line) => line.Message.StartsWith("Signing keys read from", StringComparison.Ordinal);

    /// <summary>A fake OpenID Connect provider publishing key-1, and an app that trusts it.</summary>
    public sealed class OidcApp : IAsyncLifetime
    {
        internal FakeIdentityProvider Idp { get; private set; } = null!;

        internal RsaSecurityKey Key { get; private set; } = null!;

        internal FunctionApp App { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Idp = await FakeIdentityProvider.StartAsync();
            Key = Idp.NewKey("key-1");
            App = await FunctionApp.StartAsync(settings => OidcSettings(settings, Idp));
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await Idp.DisposeAsync();
        }
    }
}
