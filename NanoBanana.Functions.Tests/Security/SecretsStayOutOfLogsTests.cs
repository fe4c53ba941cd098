using System.Text;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>
/// Runs the whole pipeline, good paths and failures, with every secret in play, then reads every
/// captured log line and response body looking for any of them.
/// </summary>
public sealed class SecretsStayOutOfLogsTests
{
    [Fact]
    public async Task NoTokenKeyOrPassword_AppearsInAnyLogLineOrResponse()
    {
        // Arrange
        await using var gemini = await FakeGemini.StartAsync();
        await using var app = await FunctionApp.StartWithGeminiAsync(gemini);
        var token = TestTokens.For(TestTokens.NewUserId());
        var expired = TestTokens.For(TestTokens.NewUserId(), expires: DateTime.UtcNow.AddMinutes(-1));
        var password = new NpgsqlConnectionStringBuilder(app.Configuration["Postgres:ConnectionString"]).Password!;
        var responses = new List<TestResponse>();
        var withKey = new Dictionary<string, string> { ["X-Gemini-Api-Key"] = TestSecrets.UserGeminiKey };
        gemini.Enqueue(
            GeminiReplies.Image(TestImages.Png),
            GeminiReplies.Error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", GeminiReplies.ErrorInfo("API_KEY_INVALID")));

        // Act: a success with the user's key, a rejected key, a bad token, an expired token, and an image round trip.
        var good = await app.Api.CreateAsync(token, new { prompt = "p", images = new[] { TestImages.Part("image/png", TestImages.Png) } }, withKey);
        responses.Add(good);
        await app.DeliverUntilSettledAsync(good.Generation.Id);
        var rejected = await app.Api.CreateAsync(token, new { prompt = "p" }, withKey);
        responses.Add(rejected);
        await app.DeliverUntilSettledAsync(rejected.Generation.Id);
        responses.Add(await app.Api.GetAsync(token, good.Generation.Id.ToString()));
        responses.Add(await app.Api.GetAsync(token, rejected.Generation.Id.ToString()));
        responses.Add(await app.Api.GetAsync(expired, good.Generation.Id.ToString()));
        responses.Add(await app.Api.GetAsync(token + "tampered", good.Generation.Id.ToString()));
        responses.Add(await app.Api.ListAsync(token));

        // Assert
        var secrets = new Dictionary<string, string>
        {
            ["bearer token"] = token,
            ["expired token"] = expired,
            ["user's Gemini key"] = TestSecrets.UserGeminiKey,
            ["server's Gemini key"] = TestSecrets.ServerGeminiKey,
            ["JWT signing key"] = TestTokens.SigningKey,
            ["encryption key"] = TestSecrets.EncryptionKey,
            ["database password"] = password,
            ["input image bytes"] = Convert.ToBase64String(TestImages.Png),
        };
        var logText = string.Join('\n', app.Logs.Lines.Select(l => $"{l.Message}\n{l.Exception}\n{string.Join(',', l.Properties.Values)}"));
        var responseText = string.Join('\n', responses.Select(r => r + string.Join(',', r.Headers.Select(h => h.Value.ToString()))));
        Assert.True(app.Logs.Lines.Count > 20, "the scenario should have logged plenty");
        foreach (var (name, secret) in secrets)
        {
            Assert.False(logText.Contains(secret, StringComparison.Ordinal), $"the {name} appears in the logs");
            Assert.False(responseText.Contains(secret, StringComparison.Ordinal), $"the {name} appears in a response");
        }

        Assert.Equal("INVALID_API_KEY", (await app.RowAsync(rejected.Generation.Id)).ErrorCode);
    }
}
