using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Api;

/// <summary>
/// A feed as Server-Sent Events (text/event-stream), written and flushed as events arrive. Between
/// reads the stream waits on the LISTEN session's wake-up (<see cref="ChangeSignal"/>) with no
/// database connection; a quiet stream sends a comment heartbeat; it ends when the feed is finished,
/// at <see cref="EventStreamOptions.MaxStreamSeconds"/>, or when the client goes.
/// </summary>
public sealed class EventStreamResult(IEventFeed feed, long after, EventStreamOptions options, TimeProvider clock) : IResult
{
    public const string ContentType = "text/event-stream";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies (nginx, App Service's front) pass each event on
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var heartbeat = TimeSpan.FromSeconds(options.HeartbeatSeconds);
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(options.MaxStreamSeconds);
        try
        {
            await WriteAsync(response, $"retry: {options.ReconnectMilliseconds}\n\n", ct);
            var lastWrite = clock.GetUtcNow();
            while (true)
            {
                using var signal = feed.Subscribe();
                var page = await feed.ReadAsync(after, options.BatchSize, ct);
                if (page.Events.Count > 0)
                {
                    var frames = new StringBuilder();
                    foreach (var e in page.Events)
                    {
                        after = feed.IdOf(e);
                        Frame(frames, after, e);
                    }

                    await WriteAsync(response, frames.ToString(), ct);
                    lastWrite = clock.GetUtcNow();
                }

                if (page.Finished || clock.GetUtcNow() >= deadline)
                {
                    return;
                }

                if (page.Events.Count == options.BatchSize)
                {
                    continue; // more to catch up on before waiting
                }

                var now = clock.GetUtcNow();
                var nap = Min(deadline - now, lastWrite + heartbeat - now);
                if (nap > TimeSpan.Zero && await signal.WaitAsync(nap, clock, ct))
                {
                    continue;
                }

                if (clock.GetUtcNow() >= deadline)
                {
                    return;
                }

                if (clock.GetUtcNow() - lastWrite >= heartbeat)
                {
                    await WriteAsync(response, ": heartbeat\n\n", ct);
                    lastWrite = clock.GetUtcNow();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went (a phone locked, a tab closed): it resumes with its last id.
        }
    }

    /// <summary>One event: its number, its kind, its JSON on one line (the API's JSON has no line breaks).</summary>
    private static void Frame(StringBuilder frames, long id, GenerationLogEvent e) =>
        frames.Append("id: ").Append(id.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("event: ").Append(e.Kind).Append('\n')
            .Append("data: ").Append(JsonSerializer.Serialize(EventResponse.From(e), ApiJson.Options)).Append("\n\n");

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>An event as the API shows it (schema GenerationLogEvent in openapi.json).</summary>
public sealed record EventResponse(Guid GenerationId, int Seq, string Cursor, string Kind, int Attempt, DateTimeOffset At, JsonElement Data)
{
    public static EventResponse From(GenerationLogEvent e) =>
        new(e.GenerationId, e.Seq, e.Cursor.ToString(CultureInfo.InvariantCulture), e.Kind, e.Attempt, e.At, e.Data);
}
