using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Gemini;

namespace NanoBanana.Functions.Api;

/// <summary>
/// GET /models: the models this deployment offers (Gemini__Model and Gemini__AllowedModels) with what
/// each takes, from the model catalog, so a client builds its choices from the same facts the create
/// is validated against.
/// </summary>
public sealed class ModelsFunction(
    ICallerAuthenticator authenticator, IOptions<GeminiOptions> gemini, IOptions<ApiOptions> api, IOptions<Economy.EconomyOptions> economy)
{
    [Function("ListModels")]
    public async Task<Ok<ModelsResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models")] HttpRequest request, CancellationToken ct)
    {
        await authenticator.AuthenticateAsync(request, ct);
        var options = gemini.Value;
        var models = options.OfferedModels
            .Select(id => ModelResponse.From(options.Spec(id), id == options.Model, api.Value.MaxImageBytes,
                Economy.EconomyRules.Offers(economy.Value, options, options.Spec(id))))
            .ToList();

        // Changes only with a deployment; private, since it is an authenticated answer.
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=300";
        return TypedResults.Ok(new ModelsResponse(options.Model, models));
    }
}
