using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Realtime;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Infrastructure.HttpFront;
using Xunit.Abstractions;

namespace NanoBanana.Functions.Tests.Events;

/// <summary>
/// GET /api/generations/{id}/events and GET /api/events through the test front's real Kestrel server,
/// where framing and flushing show: an event reaches the client while the stream stays open, a stream
/// resumes after its Last-Event-ID, a quiet stream sends heartbeats and ends at its time limit.
/// </summary>
public sealed class EventStreamTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AStream_DeliversEachEventWhileOpen_AndEndsAfterTheEnding()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(RunWorker: false));
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateGenerationAsync(token)).Id;
        using var client = Client(front, token);

        // Act: the first event arrives while the generation is still pending (the stream is not buffered).
        using var response = await OpenAsync(client, $"/api/generations/{id}/events");
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        var retry = await NextAsync(reader);
        var queued = await NextAsync(reader);
        await app.DeliverAsync(id);
        var rest = await RestAsync(reader);

        // Assert
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1000, retry!.Retry);
        Assert.Equal(("1", "queued"), (queued!.Id, queued.Event));
        Assert.Equal(["started", "stored", "completed"], rest.Select(f => f.Event));
        Assert.Equal(["2", "3", "4"], rest.Select(f => f.Id));
        var data = JsonDocument.Parse(rest[^1].Data!).RootElement;
        Assert.Equal(id, data.GetProperty("generationId").GetGuid());
        Assert.Equal(4, data.GetProperty("seq").GetInt32());
    }

    [Fact]
    public async Task WaitingStreams_HoldNoPooledConnection()
    {
        // Arrange: a pool of one connection, and more streams waiting than the pool holds.
        const int streams = 4;
        await using var app = await FunctionApp.StartAsync(s => s["Postgres:ConnectionString"] += ";Maximum Pool Size=1;Timeout=5");
        await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(RunWorker: false));
        var token = TestTokens.For(TestTokens.NewUserId());
        using var client = Client(front, token);
        var ids = new List<Guid>();
        var readers = new List<Task<List<SseFrame>>>();
        for (var i = 0; i < streams; i++)
        {
            var id = (await app.Api.CreateGenerationAsync(token)).Id;
            ids.Add(id);
            var response = await OpenAsync(client, $"/api/generations/{id}/events");
            readers.Add(RestAsync(new SseReader(await response.Content.ReadAsStreamAsync())));
        }

        await EventuallyAsync(() => app.Services.GetRequiredService<GenerationChanges>().Waiting >= streams);

        // Act: the worker needs the one connection for each claim and result; a stream holding it would starve it.
        foreach (var id in ids)
        {
            Assert.Null(await app.DeliverAsync(id));
        }

        // Assert
        foreach (var frames in await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal("completed", frames[^1].Event);
        }
    }

    [Fact]
    public async Task AQuietStream_SendsAHeartbeat_AndEndsAtItsTimeLimit()
    {
        // Arrange: the app's clock moves only when the test moves it.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FunctionApp.StartAsync(clock: clock);
        await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(RunWorker: false));
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateGenerationAsync(token)).Id;
        using var client = Client(front, token);
        using var response = await OpenAsync(client, $"/api/generations/{id}/events");
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await NextAsync(reader); // retry:
        await NextAsync(reader); // queued
        var changes = app.Services.GetRequiredService<GenerationChanges>();
        await EventuallyAsync(() => changes.Waiting >= 1);

        // Act
        clock.Advance(TimeSpan.FromSeconds(15));
        var heartbeat = await NextAsync(reader);
        await EventuallyAsync(() => changes.Waiting >= 1);
        clock.Advance(TimeSpan.FromSeconds(14));
        var beforeNext = reader.NextAsync();
        var early = await Task.WhenAny(beforeNext, Task.Delay(300));
        using var ended = new CancellationTokenSource();
        var ticking = Task.Run(async () =>
        {
            for (var advanced = 0; advanced < 250 && !ended.IsCancellationRequested; advanced += 5)
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(20);
            }
        });
        var frames = new List<SseFrame>();
        for (var frame = await beforeNext.WaitAsync(TimeSpan.FromSeconds(30)); frame is not null; frame = await NextAsync(reader))
        {
            frames.Add(frame);
        }

        await ended.CancelAsync();
        await ticking;

        // Assert: a comment after 15 s of quiet, none sooner, and the stream ended by itself.
        Assert.Equal("heartbeat", heartbeat!.Comment);
        Assert.NotSame(beforeNext, early);
        Assert.All(frames, f => Assert.Equal("heartbeat", f.Comment));
        Assert.InRange(frames.Count, 1, 220 / 15);
    }

    [Fact]
    public async Task ABadLastEventId_Is400_AndAnotherUsersGeneration_Is404()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        var id = (await app.Api.CreateGenerationAsync(token)).Id.ToString();

        // Act
        var bad = await app.Api.EventsAsync(token, id, lastEventId: "-3");
        var badQuery = await app.Api.EventsAsync(token, id, query: "?after=x");
        var other = await app.Api.EventsAsync(TestTokens.For(TestTokens.NewUserId()), id);

        // Assert
        Assert.Equal((StatusCodes.Status400BadRequest, "invalid_event_id"), (bad.Status, bad.ProblemCode));
        Assert.Equal((StatusCodes.Status400BadRequest, "invalid_event_id"), (badQuery.Status, badQuery.ProblemCode));
        Assert.Equal((StatusCodes.Status404NotFound, "generation_not_found"), (other.Status, other.ProblemCode));
    }

    /// <summary>
    /// The resume property: a stream cut after any number of events and resumed with the last id it
    /// received delivers every later event exactly once, for one generation's stream (read back after
    /// it ended) and for the caller-wide stream (read while the events are being written).
    /// </summary>
    [Fact]
    public async Task AStreamCutAnywhere_AndResumedWithItsLastId_DeliversEveryLaterEventExactlyOnce()
    {
        // Arrange: a generation with a long history (cancelled and retried again and again).
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");
        await using var app = await FunctionApp.StartAsync();
        await using var front = await HttpFront.StartAsync(app, new HttpFrontOptions(RunWorker: false));
        var owner = TestTokens.NewUserId();
        var token = TestTokens.For(owner);
        using var client = Client(front, token);
        var id = (await app.Api.CreateGenerationAsync(token)).Id;
        for (var i = 0; i < 10; i++)
        {
            await app.Api.CancelAsync(token, id.ToString());
            await app.Api.RetryAsync(token, id.ToString());
        }

        await app.Api.CancelAsync(token, id.ToString());
        var total = 22;

        // Act and Assert: one generation's stream, cut at up to three random points per trial.
        for (var trial = 0; trial < 20; trial++)
        {
            var seen = await ReadWithCutsAsync(client, $"/api/generations/{id}/events", random, total, untilEnd: true);
            Assert.Equal(Enumerable.Range(1, total).Select(n => n.ToString()), seen);
        }

        // The caller-wide stream while a writer adds events to the caller's other generations.
        var start = await app.ScalarAsync("SELECT max(owner_seq) FROM generation_event_log WHERE owner_id = @o", ("o", owner));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 12; i++)
            {
                var other = (await app.Api.CreateGenerationAsync(token)).Id;
                await app.Api.CancelAsync(token, other.ToString());
            }
        });
        var live = await ReadWithCutsAsync(client, $"/api/events?after={start}", random, 24, untilEnd: false);
        await writer;
        Assert.Equal(Enumerable.Range((int)start + 1, 24).Select(n => n.ToString()), live);
    }

    private static async Task<List<string>> ReadWithCutsAsync(HttpClient client, string path, Random random, int total, bool untilEnd)
    {
        var seen = new List<string>();
        var cuts = random.Next(1, 4);
        string? last = null;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (last is not null)
            {
                request.Headers.Add("Last-Event-ID", last);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reader = new SseReader(await response.Content.ReadAsStreamAsync());
            var cutAfter = cuts-- > 0 ? random.Next(0, Math.Max(1, total - seen.Count)) : int.MaxValue;
            var read = 0;
            while (read < cutAfter && seen.Count < total && await NextAsync(reader) is { } frame)
            {
                if (frame.Id is { } frameId)
                {
                    seen.Add(frameId);
                    last = frameId;
                    read++;
                }
            }

            if (seen.Count >= total && (!untilEnd || await RestAsync(reader) is { Count: 0 }))
            {
                return seen;
            }
        }
    }

    private static HttpClient Client(HttpFront front, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(front.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static Task<SseFrame?> NextAsync(SseReader reader) => reader.NextAsync().WaitAsync(TimeSpan.FromSeconds(30));

    private static async Task<List<SseFrame>> RestAsync(SseReader reader)
    {
        var frames = new List<SseFrame>();
        while (await NextAsync(reader) is { } frame)
        {
            if (frame.Id is not null)
            {
                frames.Add(frame);
            }
        }

        return frames;
    }

    private static async Task EventuallyAsync(Func<bool> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!probe())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
