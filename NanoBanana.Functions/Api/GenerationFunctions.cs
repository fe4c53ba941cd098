using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Api;

/// <summary>Create a generation, read it back, list the caller's history.</summary>
public sealed class GenerationFunctions(
    ICallerAuthenticator authenticator,
    CreateGenerationValidator validator,
    GenerationService generations,
    GenerationResults results,
    IOptions<ApiOptions> options)
{
    [Function("CreateGeneration")]
    public async Task<Accepted<GenerationResponse>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "generations")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var body = await JsonBody.ReadAsync<CreateGenerationRequest>(request, options.Value.MaxBodyBytes, ct);
        var newGeneration = validator.Validate(body, RequestHeaders.IdempotencyKeyOf(request));

        var created = await generations.CreateAsync(caller.UserId, newGeneration, RequestHeaders.PersonalGeminiKeyOf(request), ct);
        if (created.Replayed)
        {
            request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return results.Accepted(request, created.Generation);
    }

    [Function("GetGeneration")]
    public async Task<Results<Ok<GenerationResponse>, StatusCodeHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations/{id}")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generationId = RouteId.Parse(id);
        // Most polls ask "has it changed?": the version alone answers that, without reading the row.
        if (HttpCaching.HasIfNoneMatch(request)
            && results.NotModified(request, await generations.GetVersionAsync(caller.UserId, generationId, ct)) is { } notModified)
        {
            return notModified;
        }

        return results.OkOrNotModified(request, await generations.GetAsync(caller.UserId, generationId, ct));
    }

    [Function("ListGenerations")]
    public async Task<Ok<GenerationPageResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "generations")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var query = HistoryQuery.Parse(request.Query, options.Value);

        var (items, next) = await generations.ListAsync(caller.UserId, query.Status, query.After, query.Limit, ct);
        request.HttpContext.Response.Headers.CacheControl = "private, no-cache";
        return TypedResults.Ok(new GenerationPageResponse(
            items.Select(results.ToResponse).ToList(),
            next is { } position ? HistoryCursor.Encode(position) : null));
    }
}
