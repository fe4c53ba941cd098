using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Gemini;

public sealed class GeminiOptions
{
    public const string Section = "Gemini";

    /// <summary>The model used when a request names none. Google retires ids; 404 from Gemini means: change this.</summary>
    [Required(ErrorMessage = "Set Gemini__Model: the Gemini image model id (e.g. gemini-2.5-flash-image).")]
    public string Model { get; set; } = "gemini-2.5-flash-image";

    /// <summary>Other model ids a request may ask for by name (its <c>model</c> field).</summary>
    public string[] AllowedModels { get; set; } = [];

    public bool IsAllowed(string model) =>
        string.Equals(model, Model, StringComparison.Ordinal) || AllowedModels.Contains(model, StringComparer.Ordinal);
}
