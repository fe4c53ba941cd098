using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>What an owner can do to an existing generation: retry, cancel, delete.</summary>
public sealed class GenerationActionFunctions(
    ICallerAuthenticator authenticator,
    GenerationService generations,
    RetryModelChoice retryModel,
    GenerationResults results)
{
    [Function("RetryGeneration")]
    public async Task<Accepted<GenerationResponse>> Retry(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "generations/{id}/retry")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generation = await generations.RetryAsync(caller.UserId, RouteId.Parse(id), RequestHeaders.PersonalGeminiKeyOf(request), ct, retryModel.For);
        return await results.AcceptedAsync(request, generation, ct);
    }

    [Function("CancelGeneration")]
    public async Task<Ok<GenerationResponse>> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "generations/{id}/cancel")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var generation = await generations.CancelAsync(caller.UserId, RouteId.Parse(id), ct);
        return await results.OkAsync(request, generation, ct);
    }

    [Function("DeleteGeneration")]
    public async Task<NoContent> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "generations/{id}")] HttpRequest request, string id, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        await generations.DeleteAsync(caller.UserId, RouteId.Parse(id), ct);
        return TypedResults.NoContent();
    }
}
