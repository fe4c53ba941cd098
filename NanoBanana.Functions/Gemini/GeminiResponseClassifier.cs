using NanoBanana.Functions.Gemini.Wire;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Reads a 200 response: inlineData parts whose bytes are PNG, JPEG or WebP are the images (typed by
/// their bytes, whatever the part declares), text parts are the model's words; no image means a failure
/// class from promptFeedback or finishReason. Only those three types are stored, so the image endpoint
/// never serves SVG, HTML or anything else a browser might run.
/// </summary>
internal static class GeminiResponseClassifier
{
    public static GeminiOutcome Classify(GenerateContentResponse response)
    {
        if (response.PromptFeedback?.BlockReason is { Length: > 0 } blockReason)
        {
            return Final(GeminiFailureCodes.PromptBlocked, $"Gemini blocked the prompt ({blockReason}). Rephrase it and try again.");
        }

        var candidate = response.Candidates is { Count: > 0 } candidates ? candidates[0] : null;
        if (candidate is null)
        {
            return Final(GeminiFailureCodes.EmptyResponse, "Gemini returned no result. Try again.");
        }

        var parts = candidate.Content?.Parts ?? [];
        var inline = parts.Where(p => p.InlineData?.Data is { Length: > 0 }).Select(p => p.InlineData!.Data!).ToList();
        var images = inline
            .Select(data => (Type: ImageSniffer.Detect(data), Data: data))
            .Where(image => image.Type is not null)
            .Select(image => new GeminiImage(image.Type!, image.Data))
            .ToList();
        var text = string.Concat(parts.Select(p => p.Text)).Trim();
        var modelText = text.Length == 0 ? null : text;

        if (images.Count > 0)
        {
            return GeminiOutcome.Success(images, modelText, Usage(response));
        }

        if (inline.Count > 0)
        {
            return Final(GeminiFailureCodes.UnsupportedImage, "Gemini returned data that is not a PNG, JPEG or WebP image. Try again.");
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

    private static GeminiUsage Usage(GenerateContentResponse response) => new(
        response.ModelVersion,
        response.UsageMetadata?.PromptTokenCount,
        response.UsageMetadata?.CandidatesTokenCount,
        response.UsageMetadata?.TotalTokenCount,
        response.ResponseId);

    private static GeminiOutcome Final(string code, string message) => GeminiOutcome.Failed(new GeminiFailure(code, message, Transient: false));
}
