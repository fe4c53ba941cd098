using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>A user's own Gemini key: sealed at rest, opened only by the worker, gone when the generation ends.</summary>
public sealed class PersonalGeminiKeyTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> WithUserKey = new() { ["X-Gemini-Api-Key"] = TestSecrets.UserGeminiKey };
    private FakeGemini _gemini = null!;

    public async Task InitializeAsync() => _gemini = await FakeGemini.StartAsync();

    public async Task DisposeAsync() => await _gemini.DisposeAsync();

    [Fact]
    public async Task TheKey_IsStoredSealed_ReachesGemini_AndIsErasedWhenTheGenerationEnds()
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var created = await app.Api.CreateAsync(token, new { prompt = "bill my own key" }, WithUserKey);
        var id = created.Generation.Id;
        var (keyId, stored) = await StoredKeyAsync(app, id);
        var message = (await app.RawQueue.PeekMessagesAsync(32)).Value.Single().MessageText;
        await app.DeliverUntilSettledAsync(id);
        var afterwards = await StoredKeyAsync(app, id);
        var read = await app.Api.GetAsync(token, id.ToString());

        // Assert: sealed, not plain, while active...
        Assert.Equal("test-1", keyId);
        Assert.NotNull(stored);
        Assert.False(Contains(stored!, Encoding.UTF8.GetBytes(TestSecrets.UserGeminiKey)));
        // ...used for this generation's call instead of the server's key...
        Assert.Equal(TestSecrets.UserGeminiKey, Assert.Single(_gemini.Requests).Headers["x-goog-api-key"]);
        // ...and gone once completed; never in the queue, a response or a log line.
        Assert.Equal((null, null), afterwards);
        Assert.Equal("completed", read.Generation.Status);
        Assert.DoesNotContain(TestSecrets.UserGeminiKey, Encoding.UTF8.GetString(Convert.FromBase64String(message)));
        Assert.DoesNotContain(TestSecrets.UserGeminiKey, created.ToString() + read);
        Assert.DoesNotContain(app.Logs.Lines, l => (l.Message + l.Exception).Contains(TestSecrets.UserGeminiKey));
    }

    [Fact]
    public async Task AGenerationOnTheUsersKey_IsMarkedBilledToIt_AfterTheKeyIsErased_AndARetryWithoutItIsTheServers()
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var token = TestTokens.For(TestTokens.NewUserId());
        _gemini.Enqueue(GeminiReplies.FinishReason("IMAGE_SAFETY"));

        // Act
        var created = await app.Api.CreateAsync(token, new { prompt = "bill my own key" }, WithUserKey);
        var id = created.Generation.Id;
        await app.DeliverUntilSettledAsync(id);
        var ended = (await app.Api.GetAsync(token, id.ToString())).Generation;
        var retried = (await app.Api.RetryAsync(token, id.ToString())).Generation;
        var server = (await app.Api.CreateAsync(token, new { prompt = "the server's key" })).Generation;

        // Assert
        Assert.Equal("personalKey", created.Generation.BilledTo);
        Assert.Equal(("failed", "personalKey"), (ended.Status, ended.BilledTo));
        Assert.Equal((null, null), await StoredKeyAsync(app, id));
        Assert.Equal("server", retried.BilledTo);
        Assert.Equal("server", server.BilledTo);
    }

    [Fact]
    public async Task Cancelling_ErasesTheKey_ThroughTheDatabaseItself()
    {
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateAsync(token, new { prompt = "p" }, WithUserKey)).Generation.Id;

        await app.Api.CancelAsync(token, id.ToString());

        Assert.Equal((null, null), await StoredKeyAsync(app, id));
    }

    [Fact]
    public async Task WithoutAPersonalKey_AndWithoutAServerKey_CreateIsRefusedUpFront()
    {
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini, settings => settings["Gemini:ApiKey"] = null);
        var userId = TestTokens.NewUserId();

        var response = await app.Api.CreateAsync(TestTokens.For(userId), new { prompt = "p" });

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("gemini_key_required", response.ProblemCode);
        Assert.Equal(0, await app.CountRowsAsync(userId));
    }

    [Fact]
    public async Task APersonalKey_IsRefused_WhenTheServiceUsesVertex()
    {
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["Gemini:Backend"] = "Vertex";
            settings["Gemini:VertexProjectId"] = "p";
        });

        var response = await app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "p" }, WithUserKey);

        Assert.Equal("personal_key_not_supported", response.ProblemCode);
    }

    [Fact]
    public async Task SomethingThatIsNotAKey_IsRefused_WithoutBeingEchoed()
    {
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        const string pasted = "my key is: hunter2 hunter2 hunter2";

        var response = await app.Api.CreateAsync(TestTokens.For(TestTokens.NewUserId()), new { prompt = "p" },
            new Dictionary<string, string> { ["X-Gemini-Api-Key"] = pasted });

        Assert.Equal("invalid_gemini_key", response.ProblemCode);
        Assert.DoesNotContain("hunter2", response.ToString());
    }

    [Fact]
    public async Task AfterKeyRotation_SealedKeysStillOpen_UntilTheOldEncryptionKeyIsRemoved()
    {
        // Arrange: sealed under test-1.
        await using var before = await FunctionApp.StartWithGeminiAsync(_gemini);
        var token = TestTokens.For(TestTokens.NewUserId());
        var kept = (await before.Api.CreateAsync(token, new { prompt = "p" }, WithUserKey)).Generation.Id;
        var dropped = (await before.Api.CreateAsync(token, new { prompt = "p" }, WithUserKey)).Generation.Id;
        const string NewKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

        // Act: rotate to test-2, keeping test-1; then an instance that no longer has test-1.
        await using var rotated = await FunctionApp.StartWithGeminiAsync(_gemini, settings =>
        {
            settings["Postgres:ConnectionString"] = before.Configuration["Postgres:ConnectionString"];
            settings["Secrets:EncryptionKeys:test-2"] = NewKey;
            settings["Secrets:ActiveKeyId"] = "test-2";
        });
        await rotated.DeliverUntilSettledAsync(kept);
        await using var retired = await FunctionApp.StartWithGeminiAsync(_gemini, settings =>
        {
            settings["Postgres:ConnectionString"] = before.Configuration["Postgres:ConnectionString"];
            settings.Remove("Secrets:EncryptionKeys:test-1");
            settings["Secrets:EncryptionKeys:test-2"] = NewKey;
            settings["Secrets:ActiveKeyId"] = "test-2";
        });
        await retired.DeliverUntilSettledAsync(dropped);

        // Assert
        Assert.Equal("completed", (await rotated.RowAsync(kept)).Status);
        Assert.Equal(("failed", 1, "API_KEY_UNAVAILABLE"), await retired.RowAsync(dropped));
        Assert.Single(_gemini.Requests);
    }

    private static async Task<(string? KeyId, byte[]? Ciphertext)> StoredKeyAsync(FunctionApp app, Guid id)
    {
        await using var command = app.DataSource.CreateCommand("SELECT api_key_key_id, api_key_ciphertext FROM generations WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
