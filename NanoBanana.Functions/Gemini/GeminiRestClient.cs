using System.Net.Http.Json;
using System.Text.Json;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini.Wire;
using Polly.Timeout;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Calls generateContent over REST (Developer API or Vertex AI). Retries of refusals and each
/// request's timeout live in the HttpClient's resilience pipeline (<see cref="GeminiResilience"/>);
/// this class sends with the model's attempt timeout, reads the answer into pooled segments and then
/// typed objects (base64 decoded straight from the UTF-8 bytes into the image, never held as a string
/// or copied whole; <see cref="BufferedJson"/>) and classifies it.
/// </summary>
internal sealed class GeminiRestClient(
    HttpClient http,
    GeminiEndpoint endpoint,
    IOptions<GeminiOptions> options,
    ILogger<GeminiRestClient> logger) : IGeminiClient
{
    public async Task<GeminiOutcome> GenerateAsync(GeminiRequest request, CancellationToken ct)
    {
        // One budget for the whole call, body included: the pipeline's timeout stops at the headers.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(options.Value.CallBudget(request.Model));
        try
        {
            // Streamed only where the model draws interim images and someone keeps them: otherwise one answer, as always.
            var streamed = request.OnDraft is not null && options.Value.StreamsDrafts(request.Model);
            using var message = await endpoint.CreateRequestAsync(request.Model, request.ApiKey, budget.Token, streamed);
            message.Content = JsonContent.Create(ToWire(request, streamed), options: GeminiJson.Options);
            message.Options.Set(GeminiResilience.AttemptTimeout, options.Value.AttemptTimeout(request.Model));

            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, budget.Token);
            if (!response.IsSuccessStatusCode)
            {
                var error = await GeminiErrorBody.ReadAsync(response, budget.Token);
                var failure = GeminiErrorClassifier.Classify(response.StatusCode, error, GeminiErrorBody.RetryAfterHeader(response), request.Model);
                logger.LogWarning("Gemini answered {StatusCode} {GoogleStatus}: classified {FailureCode}",
                    (int)response.StatusCode, error?.Error?.Status, failure.Code);
                return GeminiOutcome.Failed(failure);
            }

            await using var body = await response.Content.ReadAsStreamAsync(budget.Token);
            var parsed = streamed
                ? await GeminiStream.ReadAsync(body, request.OnDraft!, budget.Token)
                : await BufferedJson.DeserializeAsync<GenerateContentResponse>(body, GeminiJson.Options, budget.Token);
            return parsed is null ? Malformed("an empty JSON document") : GeminiResponseClassifier.Classify(parsed);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Our side stopped the call (the claim is gone, or the host is stopping), whatever the
            // aborted request surfaced as: not Gemini's failure, so no outcome.
            throw new OperationCanceledException(ct);
        }
        catch (JsonException exception)
        {
            // Invalid JSON, a truncated body, or base64 that does not decode.
            return Malformed(exception.Message);
        }
        catch (Exception exception) when (exception is TimeoutRejectedException
                                          || (exception is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Gemini call for model {Model} ran out of time", request.Model);
            return GeminiOutcome.Failed(new(GeminiFailureCodes.Timeout, "Gemini took too long to answer. Try again.", Transient: true));
        }
        catch (TokenResponseException exception)
        {
            logger.LogError("Vertex AI sign-in failed: {Error}", exception.Error?.Error);
            return GeminiOutcome.Failed(new(GeminiFailureCodes.PermissionDenied, "The service could not sign in to Vertex AI.", Transient: false, NotStarted: true));
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            // A connection never made cost nothing; one cut while Google worked may have been paid.
            var neverSent = exception is HttpRequestException http && GeminiErrorClassifier.NeverReachedGoogle(http);
            logger.LogWarning("Gemini connection failed ({Stage}): {Error}", neverSent ? "not connected" : "cut", exception.Message);
            return GeminiOutcome.Failed(new(GeminiFailureCodes.Unavailable, "Gemini could not be reached. Try again shortly.", Transient: true, NotStarted: neverSent));
        }

        GeminiOutcome Malformed(string what)
        {
            logger.LogWarning("Gemini response for model {Model} could not be read: {What}", request.Model, what);
            // Usually a proxy or a cut connection: worth another attempt, bounded like the others.
            return GeminiOutcome.Failed(new(GeminiFailureCodes.MalformedResponse, "Gemini's answer was garbled. Try again.", Transient: true));
        }
    }

    private GenerateContentRequest ToWire(GeminiRequest request, bool streamed)
    {
        var parts = request.Images
            .Select(image => image.FileUri is { } uri
                ? new Part(FileData: new FileData(image.MimeType, uri.AbsoluteUri))
                : new Part(InlineData: new InlineData(image.MimeType, image.Data)))
            .Append(new Part(Text: request.Prompt))
            .ToList();
        // Only a size the model takes: an older generation's size stays with it when it retries on another model.
        var imageSize = request.ImageSize is { } size && options.Value.Spec(request.Model).ImageSizes.Contains(size) ? size : null;
        var imageConfig = request.AspectRatio is null && imageSize is null ? null : new ImageConfig(request.AspectRatio, imageSize);
        return new GenerateContentRequest(
            [new Content("user", parts)],
            new GenerationConfig(["TEXT", "IMAGE"], imageConfig, streamed ? new ThinkingConfig(IncludeThoughts: true) : null));
    }
}
