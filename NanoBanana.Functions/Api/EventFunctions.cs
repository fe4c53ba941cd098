using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Api;

/// <summary>The event streams: one generation's, and all of the caller's generations'.</summary>
public sealed class EventFunctions(
    ICallerAuthenticator authenticator,
    GenerationService generations,
    EventLogStore store,
    GenerationChanges changes,
    OwnerEvents ownerEvents,
    IOptions<EventStreamOptions> options,
    TimeProvider clock)
{
    /// <summary>Ends after the generation's ending event; resumes after Last-Event-ID (or ?after=).</summary>
    [Function("GenerationEvents")]
    public async Task<EventStreamResult> Generation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations/{id}/events")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generationId = RouteId.Parse(id);
        var after = EventCursor.After(request);
        await generations.GetVersionAsync(caller.UserId, generationId, ct); // 404 before the stream starts
        return new EventStreamResult(new GenerationEventFeed(store, changes, caller.UserId, generationId), after, options.Value, clock);
    }

    /// <summary>Every event of the caller's generations; ids are the caller-wide cursor.</summary>
    [Function("CallerEvents")]
    public async Task<EventStreamResult> Caller(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "events")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var after = EventCursor.After(request);
        return new EventStreamResult(new OwnerEventFeed(store, ownerEvents, caller.UserId), after, options.Value, clock);
    }
}
