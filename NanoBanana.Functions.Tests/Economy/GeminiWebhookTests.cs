using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Economy;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Economy;

/// <summary>
/// Gemini's batch webhooks (issue 26 item 3): a delivery signed as Standard Webhooks says (ai.google.dev/gemini-api/docs/webhooks)
/// wakes the job it names, so the follower asks Google at once instead of at the job's next poll; anything not
/// signed with the secret, out of the 5-minute window or seen before changes nothing. The signatures here are
/// computed from the spec (HMAC-SHA256 of "id.timestamp.body"), not with the app's own code.
/// </summary>
public sealed class GeminiWebhookTests : IAsyncLifetime
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(Key);

    private EconomyRig _rig = null!;

    public async Task InitializeAsync() => _rig = await EconomyRig.StartAsync(settings => settings["Economy:WebhookSecret"] = Secret);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task ASignedBatchSucceeded_CompletesTheGenerations_BeforeTheJobsNextPoll()
    {
        // Arrange: a submitted job, due its next poll a minute from now; Google has finished it.
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        var nextPoll = await NextPollAsync(economy.Id);
        Assert.True(nextPoll > _rig.Clock.GetUtcNow(), "the job is not due a poll yet");
        _rig.Batch.Succeed(job);

        // Act: the event, with the clock standing still (no sweep runs, no poll comes due).
        var response = await PostAsync(Event("batch.succeeded", job.Id));

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("woken", response.Json.GetProperty("outcome").GetString());
        var read = await WaitForStatusAsync(token, economy.Id, "completed");
        Assert.Equal("economy", read.Lane);
        // The job is ended after its last line is completed, a moment after the generation shows completed.
        await WaitUntilAsync(async () => await _rig.JobStateAsync(economy.Id) == "done");
        Assert.True(_rig.Clock.GetUtcNow() < nextPoll, "completed before the poll it would have waited for");
        Assert.DoesNotContain(_rig.App.Logs.Lines, l => l.Message.Contains(Convert.ToBase64String(Key), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheEventIsOnlyAHint_TheJobsStateIsAskedOfGoogle()
    {
        // Arrange: Google says the job still runs, whatever a (validly signed) event claims.
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        _rig.Batch.SetState(job, "BATCH_STATE_RUNNING");
        var before = StateReads(job);

        // Act
        var response = await PostAsync(Event("batch.succeeded", job.Id, job.Name));
        await WaitUntilAsync(() => StateReads(job) > before && _rig.App.Logs.Lines.Any(l => l.Message.Contains("woken by a Gemini webhook", StringComparison.Ordinal)));

        // Assert: asked, and still pending; due again a poll interval later.
        Assert.Equal("woken", response.Json.GetProperty("outcome").GetString());
        Assert.Equal("pending", (await _rig.ReadAsync(token, economy.Id)).Status);
        Assert.Equal("open", await _rig.JobStateAsync(economy.Id));
        Assert.Equal(_rig.Clock.GetUtcNow() + TimeSpan.FromSeconds(60), await NextPollAsync(economy.Id));
    }

    [Fact]
    public async Task ADeliverySeenBefore_WakesNothing()
    {
        // Arrange: one delivery followed to Google (which still runs the job): due again a poll interval later.
        await _rig.CreateAsync(TestTokens.For(TestTokens.NewUserId()));
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        _rig.Batch.SetState(job, "BATCH_STATE_RUNNING");
        var body = Event("batch.succeeded", job.Id);
        var first = await PostAsync(body, id: "msg_once");
        await WaitUntilAsync(() => _rig.App.Logs.Lines.Any(l => l.Message.Contains("woken by a Gemini webhook", StringComparison.Ordinal)));
        var reads = StateReads(job);
        var generation = Guid.Parse(job.Keys[0]);
        var nextPoll = await NextPollAsync(generation);

        // Act: Google's retry of the same delivery (at-least-once).
        var again = await PostAsync(body, id: "msg_once");

        // Assert: acknowledged, and the job left as the first delivery's pass left it; another delivery still wakes it.
        Assert.Equal(("woken", "duplicate"), (Outcome(first), Outcome(again)));
        Assert.Equal(nextPoll, await NextPollAsync(generation));
        Assert.True(nextPoll > _rig.Clock.GetUtcNow());
        Assert.Equal(reads, StateReads(job));
        Assert.Equal("woken", Outcome(await PostAsync(body, id: "msg_other")));
    }

    [Theory]
    [InlineData("bad signature")]
    [InlineData("signed with another secret")]
    [InlineData("stale timestamp")]
    [InlineData("future timestamp")]
    [InlineData("no webhook-id")]
    [InlineData("no webhook-timestamp")]
    [InlineData("no webhook-signature")]
    [InlineData("body changed")]
    public async Task AnUnverifiedDelivery_Is401_AndChangesNothing(string flaw)
    {
        // Arrange
        await _rig.CreateAsync(TestTokens.For(TestTokens.NewUserId()));
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        _rig.Batch.Succeed(job);
        var generation = Guid.Parse(job.Keys[0]);
        var nextPoll = await NextPollAsync(generation);
        var reads = StateReads(job);
        var body = Event("batch.succeeded", job.Id);
        var now = _rig.Clock.GetUtcNow();
        var headers = Headers("msg_1", flaw switch
        {
            "stale timestamp" => now - TimeSpan.FromMinutes(6),
            "future timestamp" => now + TimeSpan.FromMinutes(6),
            _ => now,
        }, body, flaw == "signed with another secret" ? RandomNumberGenerator.GetBytes(32) : Key);
        switch (flaw)
        {
            case "bad signature": headers["webhook-signature"] = "v1," + Convert.ToBase64String(new byte[32]); break;
            case "no webhook-id": headers.Remove("webhook-id"); break;
            case "no webhook-timestamp": headers.Remove("webhook-timestamp"); break;
            case "no webhook-signature": headers.Remove("webhook-signature"); break;
        }

        // Act
        var response = await PostRawAsync(flaw == "body changed" ? body.Replace("succeeded", "failed", StringComparison.Ordinal) : body, headers);

        // Assert
        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
        Assert.Equal(ProblemCodes.InvalidWebhookSignature, response.ProblemCode);
        Assert.Equal(nextPoll, await NextPollAsync(generation));
        Assert.Equal(reads, StateReads(job));
        Assert.Equal(0, await _rig.App.ScalarAsync("SELECT count(*) FROM economy_jobs WHERE last_webhook_id IS NOT NULL"));
        Assert.Equal("pending", await _rig.ScalarTextAsync("SELECT status FROM generations WHERE id = @id", generation));
    }

    [Fact]
    public async Task SeveralSignatures_OneOfThemGoogles_IsAccepted()
    {
        // Arrange: as during a secret's rotation, an entry under an old secret before the current one.
        var body = Event("batch.succeeded", "nothing-of-ours");
        var headers = Headers("msg_rotated", _rig.Clock.GetUtcNow(), body, Key);
        headers["webhook-signature"] = "v1," + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + " " + headers["webhook-signature"];

        // Act
        var response = await PostRawAsync(body, headers);

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
    }

    [Fact]
    public async Task ABatchWeHaveNoJobFor_IsAcknowledged_AndLogged()
    {
        // Act
        var response = await PostAsync(Event("batch.failed", "someone-elses"));

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("unknown_job", Outcome(response));
        Assert.Contains(_rig.App.Logs.Lines, l => l.Message.Contains("batches/someone-elses", StringComparison.Ordinal) && l.Message.Contains("no job for", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEventOfAnotherKind_IsAcknowledged_AndIgnored()
    {
        // Arrange
        await _rig.CreateAsync(TestTokens.For(TestTokens.NewUserId()));
        await _rig.SubmitAsync();
        var job = _rig.Batch.Single();
        var reads = StateReads(job);

        // Act
        var video = await PostAsync(JsonSerializer.Serialize(new { type = "video.generated", version = "v1", data = new { id = job.Id } }));
        var notJson = await PostAsync("not json");

        // Assert
        Assert.Equal(("ignored", "ignored"), (Outcome(video), Outcome(notJson)));
        Assert.Equal(reads, StateReads(job));
    }

    [Fact]
    public async Task ABodyOverTheLimit_Is413()
    {
        // Act
        var response = await PostAsync(new string('x', GeminiWebhookFunction.MaxBodyBytes + 1));

        // Assert
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, response.Status);
        Assert.Equal(ProblemCodes.PayloadTooLarge, response.ProblemCode);
    }

    [Fact]
    public async Task WithoutASecret_TheEndpointIs404_AndJobsArePolledAsBefore()
    {
        // Arrange
        await using var rig = await EconomyRig.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await rig.CreateAsync(token);
        await rig.SubmitAsync();
        var job = rig.Batch.Single();
        rig.Batch.Succeed(job);
        var body = Event("batch.succeeded", job.Id);

        // Act
        var response = await rig.App.InvokeAsync(rig.App.Request("POST", ApiRoutes.GeminiWebhooks, body: body, headers: Headers("msg_1", rig.Clock.GetUtcNow(), body, Key)),
            async r => await rig.App.Function<GeminiWebhookFunction>().Receive(r, CancellationToken.None));

        // Assert
        Assert.Equal(StatusCodes.Status404NotFound, response.Status);
        Assert.Equal(ProblemCodes.GeminiWebhooksNotConfigured, response.ProblemCode);
        Assert.Equal("pending", (await rig.ReadAsync(token, economy.Id)).Status);
        await rig.PollAsync();
        Assert.Equal("completed", (await rig.ReadAsync(token, economy.Id)).Status);
    }

    private static string Event(string type, string id, string? name = null) =>
        JsonSerializer.Serialize(new { type, version = "v1", timestamp = "2026-05-04T12:00:00Z", data = new { id = name ?? id, output_file_uri = "files/x" } });

    /// <summary>Standard Webhooks' headers, the signature computed from the spec: base64(HMAC-SHA256(key, "id.timestamp.body")).</summary>
    private static Dictionary<string, string> Headers(string id, DateTimeOffset at, string body, byte[] key)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return new Dictionary<string, string>
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = timestamp,
            ["webhook-signature"] = "v1," + Convert.ToBase64String(mac),
        };
    }

    private Task<TestResponse> PostAsync(string body, string id = "msg_1") => PostRawAsync(body, Headers(id, _rig.Clock.GetUtcNow(), body, Key));

    private Task<TestResponse> PostRawAsync(string body, Dictionary<string, string> headers) =>
        _rig.App.InvokeAsync(_rig.App.Request("POST", ApiRoutes.GeminiWebhooks, body: body, headers: headers),
            async r => await _rig.App.Function<GeminiWebhookFunction>().Receive(r, CancellationToken.None));

    private static string? Outcome(TestResponse response) => response.Json.GetProperty("outcome").GetString();

    /// <summary>The follower's reads of the job's state at Google (GET batches/{id}).</summary>
    private int StateReads(FakeBatchJob job) =>
        _rig.Batch.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.Split('?')[0].EndsWith("/" + job.Name, StringComparison.Ordinal));

    private async Task<DateTimeOffset> NextPollAsync(Guid generationId)
    {
        await using var command = _rig.App.DataSource.CreateCommand(
            "SELECT j.next_poll_at FROM economy_jobs j JOIN generations g ON g.economy_job_id = j.id WHERE g.id = @id");
        command.Parameters.AddWithValue("id", generationId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    // The follower runs on the app's background loop, woken by the delivery: wait for what it does (a bound, not a timing claim).
    private async Task<GenerationResponse> WaitForStatusAsync(string token, Guid id, string status)
    {
        GenerationResponse read = null!;
        await WaitUntilAsync(async () => (read = await _rig.ReadAsync(token, id)).Status == status);
        return read;
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the woken follower did not get there within 20 s");
            await Task.Delay(25);
        }
    }
}
