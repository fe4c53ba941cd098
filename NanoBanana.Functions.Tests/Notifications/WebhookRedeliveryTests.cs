using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Notifications;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;
using StandardWebhooks;

namespace NanoBanana.Functions.Tests.Notifications;

/// <summary>POST /api/generations/{id}/webhook-deliveries/{n}/redeliver, against a real local receiver, Postgres and Azurite.</summary>
public sealed class WebhookRedeliveryTests : IAsyncLifetime
{
    private const int PerMinute = 2;
    // On a whole second, as Postgres keeps microseconds.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private WebhookReceiver _receiver = null!;
    private TestDatabase _db = null!;
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync("/hooks");
        _db = await TestDatabase.CreateAsync();
        _app = await FunctionApp.StartAsync(database: _db, clock: _clock, configure: settings =>
        {
            settings["Webhooks:SigningKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 5)).ToArray());
            settings["Webhooks:RedeliveriesPerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Outbound:AllowLoopback"] = "true";
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    /// <summary>A generation with a webhook, ended, its first delivery answered with <paramref name="firstAnswer"/>.</summary>
    private async Task<(string Token, string Id)> DeliveredOnceAsync(int firstAnswer, string? userId = null)
    {
        _receiver.Answers.Enqueue(firstAnswer);
        var token = TestTokens.For(userId ?? TestTokens.NewUserId());
        var id = (await _app.Api.CreateAsync(token, new { prompt = "a banana to redeliver", webhookUrl = _receiver.Url })).Generation.Id;
        await _app.DeliverAsync(id);
        await _app.NotifyAsync();
        Assert.Single(_receiver.Received);
        return (token, id.ToString());
    }

    [Fact]
    public async Task ARedelivery_SendsTheSameEventAgain_SignedWithTheSameWebhookId_MarkedAsARedelivery_AndAnswersWithTheNewLogRow()
    {
        // Arrange: the receiver was broken the first time.
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status500InternalServerError);
        var secret = (await _app.Api.WebhookSecretAsync(token)).Json.GetProperty("secret").GetString()!;
        _clock.Advance(TimeSpan.FromSeconds(3));

        // Act
        var response = await _app.Api.RedeliverWebhookAsync(token, id, "1");

        // Assert: answered with the outcome (synchronous), the new delivery numbered 2, marked as a redelivery of 1.
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var delivery = response.Json;
        Assert.True(delivery.GetProperty("succeeded").GetBoolean());
        Assert.Equal(204, delivery.GetProperty("responseStatus").GetInt32());
        Assert.Equal((2, 1, 1), (delivery.GetProperty("number").GetInt32(), delivery.GetProperty("redeliveryOf").GetInt32(), delivery.GetProperty("attempt").GetInt32()));
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);

        var received = _receiver.Received.ToList();
        Assert.Equal(2, received.Count);
        var (first, again) = (received[0], received[1]);
        new StandardWebhook(secret["whsec_".Length..]).Verify(again.Body, again.Headers); // signed like any delivery (throws if not)
        Assert.Equal(first.Headers["webhook-id"].ToString(), again.Headers["webhook-id"].ToString());
        Assert.Equal(delivery.GetProperty("webhookId").GetString(), again.Headers["webhook-id"].ToString());
        Assert.Equal("true", again.Headers["webhook-redelivery"].ToString());
        Assert.False(first.Headers.ContainsKey("webhook-redelivery"));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), again.Headers["webhook-timestamp"].ToString());
        var (payload, originalPayload) = (JsonDocument.Parse(again.Body).RootElement, JsonDocument.Parse(first.Body).RootElement);
        Assert.Equal(originalPayload.GetProperty("type").GetString(), payload.GetProperty("type").GetString());
        Assert.Equal(originalPayload.GetProperty("timestamp").GetString(), payload.GetProperty("timestamp").GetString());
        Assert.Equal(id, payload.GetProperty("data").GetProperty("id").GetString());

        var log = (await _app.Api.WebhookDeliveriesAsync(token, id)).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([1, 2], log.Select(e => e.GetProperty("number").GetInt32()));
        Assert.Equal([null, 1], log.Select(e => e.GetProperty("redeliveryOf").ValueKind == JsonValueKind.Null ? (int?)null : e.GetProperty("redeliveryOf").GetInt32()));
        Assert.Equal([false, true], log.Select(e => e.GetProperty("succeeded").GetBoolean()));
    }

    [Fact]
    public async Task EveryWebhookPayload_CarriesExpiresAt_TheGenerationsRetentionClock()
    {
        // Arrange
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);

        // Act
        await _app.Api.RedeliverWebhookAsync(token, id, "1");

        // Assert: scheduled and redelivered alike, the same expiresAt as the API shows (default retention: 30 days).
        var generation = (await _app.Api.GetAsync(token, id)).Json;
        var expected = generation.GetProperty("createdAt").GetDateTimeOffset() + TimeSpan.FromDays(30);
        Assert.Equal(expected, generation.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal([expected, expected], _receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("expiresAt").GetDateTimeOffset()));
    }

    [Fact]
    public async Task AFailedRedelivery_IsLoggedWithTheReceiversAnswer_AndSchedulesNothing()
    {
        // Arrange
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);
        _receiver.Answers.Enqueue(StatusCodes.Status503ServiceUnavailable);
        var queued = (await _app.NotificationQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        // Act
        var response = await _app.Api.RedeliverWebhookAsync(token, id, "1");

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.False(response.Json.GetProperty("succeeded").GetBoolean());
        Assert.Equal(503, response.Json.GetProperty("responseStatus").GetInt32());
        Assert.Equal("HTTP 503", response.Json.GetProperty("error").GetString());
        Assert.Equal(queued, (await _app.NotificationQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task ASuccessfulRedelivery_EndsTheEventsRetrySchedule()
    {
        // Arrange: attempt 1 failed, attempt 2 is scheduled; the owner fixes the receiver and redelivers.
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status500InternalServerError);
        Assert.Equal(200, (await _app.Api.RedeliverWebhookAsync(token, id, "1")).Status);
        var eventId = await _app.ScalarAsync("SELECT id FROM generation_events WHERE generation_id = @id", ("id", Guid.Parse(id)));

        // Act: the scheduled attempt 2's message arrives.
        await _app.Function<NotificationFunctions>().Notify(
            JsonSerializer.Serialize(new NotificationMessage(eventId, 2), NanoBanana.Functions.Http.ApiJson.Options), CancellationToken.None);

        // Assert: the receiver has the event; nothing more was sent or logged.
        Assert.Equal(2, _receiver.Received.Count);
        Assert.Equal(2, (await _app.Api.WebhookDeliveriesAsync(token, id)).Json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ARedeliveryOfSomeoneElsesGeneration_Is404LikeAMissingOne_AndSendsNothing()
    {
        // Arrange
        var (_, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);
        var stranger = TestTokens.For(TestTokens.NewUserId());

        // Act
        var theirs = await _app.Api.RedeliverWebhookAsync(stranger, id, "1");
        var missing = await _app.Api.RedeliverWebhookAsync(stranger, Guid.NewGuid().ToString(), "1");

        // Assert
        Assert.Equal((404, "generation_not_found"), (theirs.Status, theirs.ProblemCode));
        Assert.Equal((404, "generation_not_found"), (missing.Status, missing.ProblemCode));
        Assert.Single(_receiver.Received);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("one")]
    public async Task ARedeliveryOfANumberNotInTheLog_Is404WebhookDeliveryNotFound(string n)
    {
        // Arrange
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);

        // Act
        var response = await _app.Api.RedeliverWebhookAsync(token, id, n);

        // Assert
        Assert.Equal((404, "webhook_delivery_not_found"), (response.Status, response.ProblemCode));
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task ARedeliveryForAGenerationWithoutAWebhook_Is409NoWebhook()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await _app.Api.CreateAsync(token, new { prompt = "a banana nobody hooks" })).Generation.Id;
        await _app.DeliverAsync(id);

        // Act
        var response = await _app.Api.RedeliverWebhookAsync(token, id.ToString(), "1");

        // Assert
        Assert.Equal((409, "no_webhook"), (response.Status, response.ProblemCode));
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task ARedeliverStorm_IsCutAtTheLimitPerGeneration_With429AndRetryAfter_UntilTheMinuteHasPassed()
    {
        // Arrange
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);
        var (otherToken, otherId) = (token, (await _app.Api.CreateAsync(token, new { prompt = "another banana", webhookUrl = _receiver.Url })).Generation.Id);
        await _app.DeliverAsync(otherId);
        await _app.NotifyAsync();

        // Act: ten at once, as a script or a stuck button would.
        var storm = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _app.Api.RedeliverWebhookAsync(token, id, "1"))));
        var otherGeneration = await _app.Api.RedeliverWebhookAsync(otherToken, otherId.ToString(), "1");
        _clock.Advance(TimeSpan.FromSeconds(40));
        var fortySecondsOn = await _app.Api.RedeliverWebhookAsync(token, id, "1");
        _clock.Advance(TimeSpan.FromSeconds(20));
        var aMinuteOn = await _app.Api.RedeliverWebhookAsync(token, id, "1");

        // Assert: exactly the limit went out, across concurrent requests; Retry-After is when the oldest slot frees up.
        Assert.Equal(PerMinute, storm.Count(r => r.Status == StatusCodes.Status200OK));
        var refused = storm.Where(r => r.Status != StatusCodes.Status200OK).ToList();
        Assert.Equal(10 - PerMinute, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal((429, "redelivery_rate_limited"), (r.Status, r.ProblemCode));
            Assert.Equal("60", r.Headers.RetryAfter.ToString());
        });
        Assert.Equal(StatusCodes.Status200OK, otherGeneration.Status); // the limit is per generation
        Assert.Equal(("redelivery_rate_limited", "20"), (fortySecondsOn.ProblemCode, fortySecondsOn.Headers.RetryAfter.ToString()));
        Assert.Equal(StatusCodes.Status200OK, aMinuteOn.Status);
        Assert.Equal(2 + PerMinute + 1 + 1, _receiver.Received.Count); // two first deliveries, the storm's allowed ones, the other generation's, a minute on
    }

    [Fact]
    public async Task AReservation_CountsOnlyAfterTheSlotsTakenBeforeIt_Committed()
    {
        // Arrange: another instance's transaction holds the generation's lock and has taken every slot, not yet committed.
        var (_, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);
        var generationId = Guid.Parse(id);
        await using var other = new NpgsqlConnection(_db.ConnectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(hashtextextended('nanobanana.redeliver:' || @id::text, 0));
            INSERT INTO webhook_redelivery_requests (generation_id, requested_at) SELECT @id, @now FROM generate_series(1, @max);
            """, other, transaction))
        {
            take.Parameters.AddWithValue("id", generationId);
            take.Parameters.AddWithValue("now", _clock.GetUtcNow());
            take.Parameters.AddWithValue("max", PerMinute);
            await take.ExecuteNonQueryAsync();
        }

        // Act: a reservation starts meanwhile; once it waits on the lock (or, without one, has already counted), the other commits.
        var reservation = _app.Services.GetRequiredService<WebhookRedeliveryStore>()
            .TryReserveAsync(generationId, _clock.GetUtcNow(), TimeSpan.FromMinutes(1), PerMinute, CancellationToken.None);
        while (!reservation.IsCompleted && await _app.ScalarAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 0)
        {
            await Task.Delay(10);
        }

        await transaction.CommitAsync();

        // Assert: it saw the committed slots, and was refused.
        Assert.Equal(TimeSpan.FromMinutes(1), await reservation);
    }

    [Fact]
    public async Task ARedeliveryToAnAddressTheAppMayNotReach_IsRefusedAtConnect_ByTheSameSender_AndLogged()
    {
        // Arrange: the generation's webhook now points at the metadata endpoint (as a rebinding name would resolve).
        var (token, id) = await DeliveredOnceAsync(StatusCodes.Status204NoContent);
        await _app.ExecuteSqlAsync("UPDATE generation_webhooks SET url = 'http://169.254.169.254/latest/meta-data/' WHERE generation_id = @id", ("id", Guid.Parse(id)));

        // Act
        var response = await _app.Api.RedeliverWebhookAsync(token, id, "1");

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.False(response.Json.GetProperty("succeeded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("responseStatus").ValueKind);
        Assert.Contains("no address this app may connect to", response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task ARedelivery_IsRefusedWith501_WhenWebhooksAreOff()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(database: _db);

        // Act
        var response = await app.Api.RedeliverWebhookAsync(TestTokens.For(TestTokens.NewUserId()), Guid.NewGuid().ToString(), "1");

        // Assert
        Assert.Equal((501, "webhooks_not_configured"), (response.Status, response.ProblemCode));
    }
}
