using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>
/// What a request may ask of the model it chose, from the model catalog: the model itself (one this
/// deployment offers), its aspect ratios, sizes, reference count and input types. Each refusal names
/// the field and lists what is allowed, so a client can correct it without reading docs.
/// </summary>
public static class ModelChoiceRules
{
    /// <summary>The chosen model's facts (the default model when none is named); null when the named one is not offered.</summary>
    public static ModelSpec? ChosenModel(string? model, GeminiOptions gemini, List<FieldError> errors)
    {
        if (model is null)
        {
            return gemini.Spec(gemini.Model);
        }

        if (gemini.IsAllowed(model))
        {
            return gemini.Spec(model);
        }

        errors.Add(new("model", ProblemCodes.UnsupportedModel,
            $"model '{model}' is not offered here; use one of {string.Join(", ", gemini.OfferedModels)}, or omit it for {gemini.Model}.")
        {
            Allowed = gemini.OfferedModels,
        });
        return null;
    }

    public static void CheckOptions(string? aspectRatio, string? resolution, ModelSpec model, List<FieldError> errors)
    {
        if (aspectRatio is not null && !model.AspectRatios.Contains(aspectRatio))
        {
            errors.Add(new("aspectRatio", ProblemCodes.InvalidAspectRatio,
                $"aspectRatio '{aspectRatio}' is not one {model.Id} draws; use one of {string.Join(", ", model.AspectRatios)}.")
            {
                Allowed = model.AspectRatios,
            });
        }

        if (resolution is not null && !model.ImageSizes.Contains(resolution))
        {
            errors.Add(new("resolution", ProblemCodes.InvalidResolution, model.ImageSizes.Count == 0
                ? $"{model.Id} takes no resolution; omit it."
                : $"resolution '{resolution}' is not one {model.Id} draws; use one of {string.Join(", ", model.ImageSizes)}.")
            {
                Allowed = model.ImageSizes,
            });
        }
    }

    /// <returns>False (with the error added) when the model takes fewer references than sent.</returns>
    public static bool CheckImageCount(int count, ModelSpec model, List<FieldError> errors)
    {
        if (count <= model.MaxReferenceImages)
        {
            return true;
        }

        errors.Add(new("images", ProblemCodes.TooManyImages, $"{model.Id} takes at most {model.MaxReferenceImages} images; this request has {count}."));
        return false;
    }

    /// <returns>False (with the error added) when the model does not take <paramref name="mimeType"/>.</returns>
    public static bool CheckImageType(string field, string mimeType, ModelSpec model, List<FieldError> errors)
    {
        if (model.InputMimeTypes.Contains(mimeType))
        {
            return true;
        }

        errors.Add(new($"{field}.mimeType", ProblemCodes.UnsupportedImageType,
            $"{field}.mimeType '{mimeType}' is not an input {model.Id} takes; use one of {string.Join(", ", model.InputMimeTypes)}.")
        {
            Allowed = model.InputMimeTypes,
        });
        return false;
    }
}
