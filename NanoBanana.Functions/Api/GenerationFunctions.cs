using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Outbound;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Api;

/// <summary>Create a generation, read it back, list the caller's history.</summary>
public sealed class GenerationFunctions(
    ICallerAuthenticator authenticator,
    CreateGenerationValidator validator,
    GenerationService generations,
    GenerationWaiter waiter,
    GenerationResults results,
    OutboundTargets outbound,
    LongPollSlots waits,
    Uploads.UploadReferences uploads,
    ChangedSinceResults changedSince,
    KnownVersions known,
    IOptions<ApiOptions> options)
{
    /// <summary>202 with the new generation; with Prefer: wait=N, 201 with it finished if it ends in time.</summary>
    [Function("CreateGeneration")]
    public async Task<Results<Created<GenerationResponse>, Accepted<GenerationResponse>>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "generations")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var body = await JsonBody.ReadAsync<CreateGenerationRequest>(request, options.Value.MaxBodyBytes, ct, options.Value.MaxFieldBytes);
        var newGeneration = validator.Validate(body, RequestHeaders.IdempotencyKeyOf(request), RequestHeaders.CancelAfterOf(request));
        if (newGeneration.Lane == GenerationLane.Economy && RequestHeaders.PersonalGeminiKeyOf(request) is not null)
        {
            // A batch job is billed to the key that submits it, and one job holds many callers' requests.
            throw Problems.Invalid("speed", ProblemCodes.EconomyPersonalKey, "speed \"economy\" runs on the server's Gemini key: leave out X-Gemini-Api-Key, or use speed \"standard\".");
        }

        if (newGeneration.Webhook is { } webhook && await outbound.RefusalAsync(webhook.Url, ct) is { } why)
        {
            throw Problems.WebhookUrlNotAllowed(why);
        }

        newGeneration = await uploads.ResolveAsync(caller.UserId, newGeneration, ct);
        var created = await generations.CreateAsync(caller.UserId, newGeneration, RequestHeaders.PersonalGeminiKeyOf(request), ct);
        if (!created.Replayed)
        {
            await uploads.MarkUsedAsync(caller.UserId, created.Generation.Id, newGeneration, ct);
        }
        if (created.Replayed)
        {
            request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
        }

        var generation = created.Generation;
        using var slot = LongPoll.RequestedWait(request, options.Value) is { } asked ? waits.TryTake(caller.UserId, asked) : null;
        if (slot is { Wait: var wait })
        {
            LongPoll.Applied(request.HttpContext.Response, wait);
            generation = await waiter.WaitWhileAsync(caller.UserId, generation.Id, (g, _) => ValueTask.FromResult(!g.Status.IsTerminal()), wait, ct);
            if (generation.Status.IsTerminal())
            {
                return await results.CreatedAsync(request, generation, ct);
            }
        }

        return await results.AcceptedAsync(request, generation, ct);
    }

    [Function("GetGeneration")]
    public async Task<Results<Ok<GenerationResponse>, StatusCodeHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations/{id}")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generationId = RouteId.Parse(id);
        Generation generation;
        using var slot = LongPoll.RequestedWait(request, options.Value) is { } asked ? waits.TryTake(caller.UserId, asked) : null;
        if (slot is { Wait: var wait })
        {
            // Long-poll: while the caller's ETag still holds, wait for a change (or the end of the wait: 304).
            LongPoll.Applied(request.HttpContext.Response, wait);
            generation = await waiter.WaitWhileAsync(caller.UserId, generationId, (g, token) => results.IsNotModifiedAsync(request, g, token), wait, ct);
        }
        else if (HttpCaching.HasIfNoneMatch(request))
        {
            // Most polls ask "has it changed?": what the LISTEN session announced answers that without
            // Postgres (for the owner only: anyone else's id reads the database, as a missing one does),
            // else the version alone does, without reading the row.
            var current = known.Find(caller.UserId, generationId);
            if (await results.NotModifiedAsync(request, current ?? await generations.GetVersionAsync(caller.UserId, generationId, ct), ct) is { } notModified)
            {
                return notModified;
            }

            generation = await generations.GetAsync(caller.UserId, generationId, ct);
        }
        else
        {
            generation = await generations.GetAsync(caller.UserId, generationId, ct);
        }

        return await results.OkOrNotModifiedAsync(request, generation, ct);
    }

    /// <summary>The caller's history, newest first; with ?changedSince=, what changed since a token (the catch-up on wake).</summary>
    [Function("ListGenerations")]
    public async Task<Results<Ok<GenerationPageResponse>, Ok<GenerationChangesResponse>, StatusCodeHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        if (EventCursor.ChangedSince(request) is { } since)
        {
            return (await changedSince.AnswerAsync(request, caller.UserId, since, ct)).Result switch
            {
                Ok<GenerationChangesResponse> ok => ok,
                var other => (StatusCodeHttpResult)other,
            };
        }

        var query = HistoryQuery.Parse(request.Query, options.Value);

        var (items, next) = await generations.ListAsync(caller.UserId, query.Status, query.After, query.Limit, ct);
        request.HttpContext.Response.Headers.CacheControl = "private, no-cache";
        var responses = new List<GenerationResponse>(items.Count);
        foreach (var item in items)
        {
            responses.Add(await results.ToResponseAsync(item, ct));
        }

        return TypedResults.Ok(new GenerationPageResponse(
            responses,
            next is { } position ? HistoryCursor.Encode(position) : null));
    }
}
