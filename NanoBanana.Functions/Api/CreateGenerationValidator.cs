using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Checks every field of a create request and reports all problems at once, each with a stable code;
/// what passes becomes a <see cref="NewGeneration"/> with decoded, sniffed images.
/// </summary>
public sealed class CreateGenerationValidator(
    IOptions<ApiOptions> apiOptions,
    IOptions<GeminiOptions> geminiOptions,
    IOptions<Webhooks.WebhookOptions> webhookOptions,
    IOptions<Economy.EconomyOptions>? economyOptions = null)
{
    private const int MaxIdempotencyKeyLength = 255;

    /// <param name="cancelAfter">The Cancel-After header, if sent: the same deadline as the body's deadlineSeconds.</param>
    public NewGeneration Validate(CreateGenerationRequest request, string? idempotencyKey, string? cancelAfter = null)
    {
        var limits = apiOptions.Value;
        var errors = new List<FieldError>();

        ValidatePrompt(request.Prompt, limits, errors);
        // What the chosen model takes (ModelChoiceRules); images of an unoffered model are checked against the default's.
        var model = ModelChoiceRules.ChosenModel(request.Model, geminiOptions.Value, errors);
        var images = ValidateImages(request.Images, limits, model ?? geminiOptions.Value.Spec(geminiOptions.Value.Model), errors);
        if (model is not null)
        {
            ModelChoiceRules.CheckOptions(request.AspectRatio, request.Resolution, model, errors);
        }

        var webhook = ValidateWebhook(request, errors);
        var deadline = RequestDeadline.Parse(request.DeadlineSeconds, cancelAfter, limits.MaxDeadlineSeconds, errors);
        var (lane, maxWait) = Economy.EconomyRules.Check(
            request, model, economyOptions?.Value ?? new Economy.EconomyOptions(), geminiOptions.Value, request.Images?.Count ?? 0, errors);
        if (idempotencyKey is not null && !IsValidIdempotencyKey(idempotencyKey))
        {
            errors.Add(new(RequestHeaders.IdempotencyKey, ProblemCodes.InvalidIdempotencyKey,
                $"The Idempotency-Key header must be 1-{MaxIdempotencyKeyLength} visible ASCII characters (a UUID is a good choice)."));
        }

        if (errors.Count > 0)
        {
            throw Problems.Validation(errors);
        }

        var options = new GenerationOptions(request.AspectRatio, request.Resolution, request.Model);
        var prompt = request.Prompt!;
        // Stored with the model that will run (the default when none was named), so history shows what
        // ran when; the hash stays of what was sent, so a repeat of the request still matches.
        return new NewGeneration(
            prompt, options with { Model = model!.Id }, images, idempotencyKey, RequestHash(prompt, options, images, webhook, deadline, lane, maxWait),
            webhook, deadline, lane, maxWait);
    }

    // Syntax only; whether the URL's host is one the app may call is asked of DNS by the function.
    private GenerationWebhook? ValidateWebhook(CreateGenerationRequest request, List<FieldError> errors)
    {
        if (request.WebhookUrl is null)
        {
            if (request.WebhookEvents is not null)
            {
                errors.Add(new("webhookEvents", ProblemCodes.InvalidWebhookEvents, "webhookEvents needs a webhookUrl."));
            }

            return null;
        }

        if (!webhookOptions.Value.Enabled)
        {
            throw Problems.WebhooksNotConfigured();
        }

        if (request.WebhookUrl.Length > 2048 || !Uri.TryCreate(request.WebhookUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            errors.Add(new("webhookUrl", ProblemCodes.WebhookUrlNotAllowed, "webhookUrl must be an absolute https URL of at most 2048 characters."));
            return null;
        }

        var events = request.WebhookEvents ?? [.. GenerationWebhook.AllEvents];
        if (events.Count == 0 || events.Any(e => e is null || !GenerationWebhook.AllEvents.Contains(e)))
        {
            errors.Add(new("webhookEvents", ProblemCodes.InvalidWebhookEvents,
                $"webhookEvents must list some of {string.Join(", ", GenerationWebhook.AllEvents)}."));
            return null;
        }

        return new GenerationWebhook(url, events.Distinct().ToList()!);
    }

    private static void ValidatePrompt(string? prompt, ApiOptions limits, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            errors.Add(new("prompt", ProblemCodes.PromptRequired, "prompt is required and must not be blank."));
        }
        else if (prompt.Length > limits.MaxPromptLength)
        {
            errors.Add(new("prompt", ProblemCodes.PromptTooLong, $"prompt may be at most {limits.MaxPromptLength} characters; it has {prompt.Length}."));
        }
        else if (prompt.Contains('\0'))
        {
            // Postgres text cannot hold NUL; anything else is stored exactly as sent.
            errors.Add(new("prompt", ProblemCodes.InvalidPrompt, "prompt must not contain the NUL character (\\u0000)."));
        }
    }

    private static List<InputImage> ValidateImages(List<ImageRequest?>? images, ApiOptions limits, ModelSpec model, List<FieldError> errors)
    {
        var valid = new List<InputImage>();
        if (images is null)
        {
            return valid;
        }

        if (!ModelChoiceRules.CheckImageCount(images.Count, model, errors))
        {
            return valid;
        }

        for (var i = 0; i < images.Count; i++)
        {
            var field = $"images[{i}]";
            var image = images[i];
            if (image?.UploadId is { } uploadId)
            {
                // Its owner, type and size are checked against the upload's row and blob (Uploads/UploadReferences).
                if (image.Data is not null || image.MimeType is not null)
                {
                    errors.Add(new(field, ProblemCodes.ImageRequired, $"{field} has an uploadId: leave out mimeType and data."));
                    continue;
                }

                valid.Add(new InputImage("", [], uploadId));
                continue;
            }

            if (image is null || image.Data is null || string.IsNullOrEmpty(image.MimeType))
            {
                errors.Add(new(field, ProblemCodes.ImageRequired, $"{field} needs both mimeType and data (base64), or an uploadId."));
                continue;
            }

            if (!ModelChoiceRules.CheckImageType(field, image.MimeType, model, errors))
            {
                continue;
            }

            if (image.Data.Length > limits.MaxImageBytes)
            {
                errors.Add(new($"{field}.data", ProblemCodes.ImageTooLarge,
                    $"{field} is {image.Data.Length} bytes; the limit is {limits.MaxImageBytes} bytes."));
                continue;
            }

            var actualType = ImageSniffer.Detect(image.Data);
            if (actualType is null)
            {
                errors.Add(new($"{field}.data", ProblemCodes.InvalidImageData, $"{field}.data is not a PNG, JPEG, WebP or HEIC/HEIF image."));
            }
            else if (!ImageSniffer.Agrees(image.MimeType, actualType))
            {
                errors.Add(new($"{field}.mimeType", ProblemCodes.ImageTypeMismatch,
                    $"{field} is declared {image.MimeType} but its bytes are {actualType}."));
            }
            else
            {
                valid.Add(new InputImage(actualType, image.Data));
            }
        }

        return valid;
    }

    private static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= MaxIdempotencyKeyLength && key.All(c => c is >= '!' and <= '~');

    // What "the same request" means for Idempotency-Key: same prompt, options and image bytes.
    private static byte[] RequestHash(
        string prompt, GenerationOptions options, IReadOnlyList<InputImage> images, GenerationWebhook? webhook, TimeSpan? deadline,
        GenerationLane lane, TimeSpan? maxWait)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Append(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        Append(Encoding.UTF8.GetBytes(prompt));
        Append(Encoding.UTF8.GetBytes(options.AspectRatio ?? "\0"));
        Append(Encoding.UTF8.GetBytes(options.Resolution ?? "\0"));
        Append(Encoding.UTF8.GetBytes(options.Model ?? "\0"));
        foreach (var image in images)
        {
            if (image.UploadId is { } uploadId)
            {
                // An upload is the same request when it names the same upload (its bytes are checked for size, not hashed).
                Append("upload"u8);
                Append(uploadId.ToByteArray());
                continue;
            }

            Append(Encoding.UTF8.GetBytes(image.MimeType));
            Append(image.Data);
        }

        // Only when there is one, so the hashes of requests without a webhook stay what they were.
        if (webhook is not null)
        {
            Append(Encoding.UTF8.GetBytes(webhook.Url.AbsoluteUri));
            Append(Encoding.UTF8.GetBytes(string.Join(',', webhook.Events)));
        }

        if (deadline is { } within)
        {
            Append("deadline"u8);
            Append(BitConverter.GetBytes((long)within.TotalSeconds));
        }

        if (lane == GenerationLane.Economy)
        {
            Append("economy"u8);
            Append(BitConverter.GetBytes((long)(maxWait ?? TimeSpan.Zero).TotalHours));
        }

        return hash.GetHashAndReset();
    }
}
