using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>
/// The model a retry runs on: the generation's own while this deployment still offers it, else the
/// default (a model Google retired, or one the operator stopped offering). Its options and inputs are
/// checked against that model as a create's are (<see cref="ModelChoiceRules"/>): 400 when it cannot take them.
/// </summary>
public sealed class RetryModelChoice(IOptions<GeminiOptions> gemini)
{
    public GenerationOptions For(Generation generation)
    {
        var options = gemini.Value;
        var asked = generation.Options.Model ?? options.Model;
        var model = options.Spec(options.IsAllowed(asked) ? asked : options.Model);

        var errors = new List<FieldError>();
        ModelChoiceRules.CheckOptions(generation.Options.AspectRatio, generation.Options.Resolution, model, errors);
        if (ModelChoiceRules.CheckImageCount(generation.InputImages.Count, model, errors))
        {
            for (var i = 0; i < generation.InputImages.Count; i++)
            {
                ModelChoiceRules.CheckImageType($"images[{i}]", generation.InputImages[i].MimeType, model, errors);
            }
        }

        return errors.Count > 0 ? throw Problems.Validation(errors) : generation.Options with { Model = model.Id };
    }
}
