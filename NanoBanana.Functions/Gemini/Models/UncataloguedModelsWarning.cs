using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Gemini.Models;

/// <summary>
/// At start, a warning for each offered model the catalog does not know: it works with conservative
/// options (<see cref="ModelSpec.Conservative"/>), which the operator should know are a guess.
/// Shut-down ids never get here: <see cref="GeminiOptions"/> refuses them.
/// </summary>
internal sealed class UncataloguedModelsWarning(IOptions<GeminiOptions> options, ILogger<UncataloguedModelsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var spec in options.Value.OfferedModels.Select(options.Value.Spec).Where(s => !s.InCatalog))
        {
            logger.LogWarning(
                "Gemini model {Model} is not in the model catalog: it is offered with conservative options ({AspectRatioCount} aspect ratios, no imageSize, {MaxReferenceImages} references, {AttemptTimeoutSeconds} s per attempt); add it to Gemini/Models/model-catalog.json",
                spec.Id, spec.AspectRatios.Count, spec.MaxReferenceImages, spec.AttemptTimeoutSeconds);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
