using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Reads a 200 response: every inlineData part is an image (with its own mimeType), text parts are
/// the model's words; no image means a failure class from promptFeedback or finishReason.
/// </summary>
internal static class GeminiResponseClassifier
{
    public static GeminiOutcome Classify(GenerateContentResponse response)
    {
        if (response.PromptFeedback?.BlockReason is { Length: > 0 } blockReason)
        {
            return Final(GeminiFailureCodes.PromptBlocked, $"Gemini blocked the prompt ({blockReason}). Rephrase it and try again.");
        }

        var candidate = response.Candidates?.FirstOrDefault();
        if (candidate is null)
        {
            return Final(GeminiFailureCodes.EmptyResponse, "Gemini returned no result. Try again.");
        }

        var parts = candidate.Content?.Parts ?? [];
        var images = parts
            .Where(p => p.InlineData?.Data is { Length: > 0 })
            .Select(p => new GeminiImage(MimeTypeOf(p.InlineData!), p.InlineData!.Data!))
            .ToList();
        var text = string.Concat(parts.Select(p => p.Text)).Trim();
        var modelText = text.Length == 0 ? null : text;

        if (images.Count > 0)
        {
            return GeminiOutcome.Success(images, modelText, Usage(response));
        }

        var reason = candidate.FinishReason;
        return reason switch
        {
            "SAFETY" => Final(GeminiFailureCodes.Safety, "Gemini's safety filters stopped this generation. Rephrase the prompt."),
            "IMAGE_SAFETY" => Final(GeminiFailureCodes.ImageSafety, "The generated image was blocked by Gemini's safety filters. Rephrase the prompt."),
            "PROHIBITED_CONTENT" => Final(GeminiFailureCodes.ProhibitedContent, "Gemini does not generate this kind of content."),
            "IMAGE_PROHIBITED_CONTENT" => Final(GeminiFailureCodes.ImageProhibitedContent, "Gemini does not generate this kind of image."),
            "BLOCKLIST" => Final(GeminiFailureCodes.Blocklist, "The prompt contains blocked terms. Rephrase it."),
            "SPII" => Final(GeminiFailureCodes.Spii, "The request seems to involve sensitive personal information, which Gemini will not generate."),
            "RECITATION" => Final(GeminiFailureCodes.Recitation, "Gemini stopped because the result resembled existing material. Try a different prompt."),
            "IMAGE_RECITATION" => Final(GeminiFailureCodes.ImageRecitation, "The image resembled existing material too closely. Try a different prompt."),
            "NO_IMAGE" => Final(GeminiFailureCodes.NoImage, "Gemini did not produce an image this time. Try again or rephrase the prompt."),
            "OTHER" => Final(GeminiFailureCodes.ModelOther, "Gemini stopped without an image for an unspecified reason. Try again."),
            "IMAGE_OTHER" => Final(GeminiFailureCodes.ImageOther, "Gemini could not produce the image. Try again."),
            null or "STOP" => Final(GeminiFailureCodes.TextOnly, modelText is null
                ? "Gemini answered without an image. Try rephrasing the prompt."
                : $"Gemini answered in words instead of an image: \"{GeminiFailure.Quote(modelText)}\""),
            _ => Final(GeminiFailureCodes.ModelStopped, $"Gemini stopped ({reason}) without an image. Try again."),
        };
    }

    // Trust the declared type when it names an image; otherwise the bytes decide.
    private static string MimeTypeOf(InlineData data) =>
        data.MimeType is { } declared && declared.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            ? declared
            : ImageSniffer.Detect(data.Data) ?? "application/octet-stream";

    private static GeminiUsage Usage(GenerateContentResponse response) => new(
        response.ModelVersion,
        response.UsageMetadata?.PromptTokenCount,
        response.UsageMetadata?.CandidatesTokenCount,
        response.UsageMetadata?.TotalTokenCount,
        response.ResponseId);

    private static GeminiOutcome Final(string code, string message) => GeminiOutcome.Failed(new GeminiFailure(code, message, Transient: false));
}
