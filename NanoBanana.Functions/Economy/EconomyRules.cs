using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// What a create may ask of the lanes: <c>speed</c> standard or economy, and with economy a <c>maxWaitHours</c>
/// (default and cap from <see cref="EconomyOptions"/>). Economy needs the Developer API (its Batch and Files
/// APIs), a model the catalog says the Batch API takes, and no reference images (the batch request carries
/// the prompt and options only, in this version).
/// </summary>
public static class EconomyRules
{
    /// <summary>Whether this deployment can run <paramref name="model"/> in the economy lane.</summary>
    public static bool Offers(EconomyOptions economy, GeminiOptions gemini, ModelSpec model) =>
        economy.Enabled && gemini.Backend == GeminiBackend.Developer && !string.IsNullOrEmpty(gemini.ApiKey) && model.Batch;

    /// <returns>The lane and, for economy, the promised wait.</returns>
    public static (GenerationLane Lane, TimeSpan? MaxWait) Check(
        CreateGenerationRequest request, ModelSpec? model, EconomyOptions economy, GeminiOptions gemini, int imageCount, List<FieldError> errors)
    {
        var lane = request.Speed is null ? GenerationLane.Standard : GenerationLanes.TryParse(request.Speed);
        if (lane is null)
        {
            errors.Add(new("speed", ProblemCodes.InvalidSpeed, "speed must be \"standard\" or \"economy\"."));
            return (GenerationLane.Standard, null);
        }

        if (lane == GenerationLane.Standard)
        {
            if (request.MaxWaitHours is not null)
            {
                errors.Add(new("maxWaitHours", ProblemCodes.InvalidMaxWait, "maxWaitHours applies to speed \"economy\" only."));
            }

            return (GenerationLane.Standard, null);
        }

        if (model is not null && !Offers(economy, gemini, model))
        {
            errors.Add(new("speed", ProblemCodes.EconomyUnavailable,
                $"The economy lane is not offered for {model.Id} here (GET /api/models says which models support it)."));
        }

        if (imageCount > 0)
        {
            errors.Add(new("images", ProblemCodes.EconomyImagesUnsupported, "speed \"economy\" takes a prompt without reference images; use speed \"standard\"."));
        }

        var hours = request.MaxWaitHours ?? economy.DefaultMaxWaitHours;
        if (hours < 1 || hours > economy.MaxWaitHours)
        {
            errors.Add(new("maxWaitHours", ProblemCodes.InvalidMaxWait, $"maxWaitHours must be 1-{economy.MaxWaitHours}."));
        }

        return (GenerationLane.Economy, TimeSpan.FromHours(hours));
    }
}
