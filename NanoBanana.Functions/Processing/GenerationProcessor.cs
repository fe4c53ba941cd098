using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Secrets;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// Turns one queue delivery into at most one Gemini call: claim the row, call Gemini, store the
/// images, record the outcome under the claim's attempt. A delivery that finds nothing to claim
/// (duplicate, late, cancelled, finished) does nothing.
/// </summary>
public sealed class GenerationProcessor(
    MaintenanceRoleStore store,
    ImageStore images,
    IGeminiClient gemini,
    ApiKeyProtector keys,
    IOptions<ProcessingOptions> options,
    IOptions<GeminiOptions> geminiOptions,
    GenerationMetrics metrics,
    TimeProvider clock,
    ILogger<GenerationProcessor> logger)
{
    public async Task ProcessAsync(Guid id, CancellationToken ct)
    {
        var settings = options.Value;
        var claimed = await store.ClaimAsync(id, clock.GetUtcNow(), settings.Lease, settings.MaxAttempts, ct);
        if (claimed is null)
        {
            if (await store.FailExhaustedAsync(id, clock.GetUtcNow(), settings.MaxAttempts, ct) is { } stuck)
            {
                metrics.Failed(GenerationErrorCodes.Stuck);
                logger.LogWarning("Generation {GenerationId} failed {ErrorCode} after {Attempt} interrupted attempts", id, GenerationErrorCodes.Stuck, stuck.Attempt);
            }
            else
            {
                logger.LogInformation("Generation {GenerationId} has nothing to claim (duplicate or late message, cancelled, or finished)", id);
            }

            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["GenerationId"] = id, ["Attempt"] = claimed.Attempt });
        if (claimed.EnqueuedAt is { } enqueuedAt)
        {
            metrics.Claimed(clock.GetUtcNow() - enqueuedAt);
        }

        logger.LogInformation("Generation {GenerationId} attempt {Attempt} claimed ({RunAttempt} of {MaxAttempts} in this run)",
            id, claimed.Attempt, claimed.RunAttempt, settings.MaxAttempts);
        try
        {
            var outcome = await GenerateAsync(claimed, ct);
            await RecordAsync(claimed, outcome, ct);
        }
        catch (Exception exception) when (exception is not GenerationRetryException)
        {
            // Hand the claim back so the message's next delivery can take over now, not after the lease.
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt} broke off; releasing its claim", id, claimed.Attempt);
            await ReleaseQuietlyAsync(claimed);
            throw;
        }
    }

    /// <summary>The queue gave up on a message (poison queue): end its generation with a reason.</summary>
    public async Task FailUndeliverableAsync(Guid id, CancellationToken ct)
    {
        if (await store.FailUndeliverableAsync(id, clock.GetUtcNow(), ct) is { } failed)
        {
            metrics.Failed(GenerationErrorCodes.DeliveryFailed);
            logger.LogError("Generation {GenerationId} failed {ErrorCode}: its message reached the poison queue after attempt {Attempt}",
                id, GenerationErrorCodes.DeliveryFailed, failed.Attempt);
        }
        else
        {
            logger.LogWarning("Poison message for generation {GenerationId} ignored: the generation is finished, gone or being processed", id);
        }
    }

    private async Task<GeminiOutcome> GenerateAsync(Generation generation, CancellationToken ct)
    {
        // The user's own key, opened only here, only for this call; null means the server's key.
        string? personalKey = null;
        if (generation.ApiKey is { } sealedKey && (personalKey = keys.TryUnseal(sealedKey, generation.Id)) is null)
        {
            return GeminiOutcome.Failed(new GeminiFailure(GenerationErrorCodes.ApiKeyUnavailable,
                "Your Gemini key could not be read back. Retry the generation with the key.", Transient: false));
        }

        var inputs = new List<GeminiImage>(generation.InputImages.Count);
        foreach (var input in generation.InputImages)
        {
            var content = await images.DownloadAsync(input.BlobName, ct);
            if (content is null)
            {
                return GeminiOutcome.Failed(new GeminiFailure(GenerationErrorCodes.InputMissing,
                    "An input image of this generation is no longer available. Create the generation again.", Transient: false));
            }

            inputs.Add(new GeminiImage(input.MimeType, content.ToArray()));
        }

        var model = generation.Options.Model ?? geminiOptions.Value.Model;
        var started = clock.GetTimestamp();
        var outcome = await gemini.GenerateAsync(
            new GeminiRequest(model, generation.Prompt, inputs, generation.Options.AspectRatio, generation.Options.Resolution, personalKey), ct);
        var latency = clock.GetElapsedTime(started);
        metrics.GeminiCall(latency, outcome.Failure?.Code ?? "ok");
        logger.LogInformation("Gemini {Model} answered in {GeminiMs} ms: {Outcome}",
            model, (long)latency.TotalMilliseconds, outcome.Failure?.Code ?? $"{outcome.Images.Count} image(s)");
        return outcome;
    }

    private async Task RecordAsync(Generation claimed, GeminiOutcome outcome, CancellationToken ct)
    {
        if (outcome.Failure is not { } failure)
        {
            await CompleteAsync(claimed, outcome, ct);
            return;
        }

        if (failure.Transient && claimed.RunAttempt < options.Value.MaxAttempts)
        {
            if (await store.ReleaseAsync(claimed, clock.GetUtcNow(), ct))
            {
                logger.LogWarning("Generation {GenerationId} attempt {Attempt} hit {FailureCode}; the queue will deliver it again",
                    claimed.Id, claimed.Attempt, failure.Code);
                throw new GenerationRetryException(claimed.Id, failure.Code);
            }

            logger.LogInformation("Generation {GenerationId} attempt {Attempt} hit {FailureCode} but was cancelled or taken over meanwhile",
                claimed.Id, claimed.Attempt, failure.Code);
            return;
        }

        var error = new GenerationError(failure.Code, failure.Message, failure.UserMayRetry);
        if (await store.FailAsync(claimed, error, clock.GetUtcNow(), ct))
        {
            metrics.Failed(failure.Code);
            logger.LogWarning("Generation {GenerationId} failed {ErrorCode} on attempt {Attempt}", claimed.Id, failure.Code, claimed.Attempt);
        }
        else
        {
            logger.LogInformation("Generation {GenerationId} attempt {Attempt}: failure {ErrorCode} discarded, the generation was cancelled or taken over",
                claimed.Id, claimed.Attempt, failure.Code);
        }
    }

    private async Task CompleteAsync(Generation claimed, GeminiOutcome outcome, CancellationToken ct)
    {
        var stored = new List<StoredImage>(outcome.Images.Count);
        for (var i = 0; i < outcome.Images.Count; i++)
        {
            var image = outcome.Images[i];
            stored.Add(await images.UploadAsync(BlobNames.Output(claimed.Id, claimed.Attempt, i), BinaryData.FromBytes(image.Data), image.MimeType, ct));
        }

        var metadata = JsonSerializer.Serialize(outcome.Usage);
        var now = clock.GetUtcNow();
        if (await store.CompleteAsync(claimed, stored, outcome.Text, metadata, now, ct))
        {
            metrics.Completed(now - claimed.CreatedAt);
            logger.LogInformation("Generation {GenerationId} completed on attempt {Attempt} with {ImageCount} image(s), {Bytes} bytes",
                claimed.Id, claimed.Attempt, stored.Count, stored.Sum(s => s.Bytes));
            // Earlier attempts that crashed after uploading left images nobody points to; the first
            // attempt has none, so it saves itself the listing (a storage call per generation).
            if (claimed.Attempt > 1)
            {
                var current = stored.Select(s => s.BlobName).ToHashSet();
                await TidyAsync(claimed, async () =>
                    await images.DeleteAsync((await images.ListAsync(BlobNames.OutputPrefix(claimed.Id), ct)).Where(name => !current.Contains(name)), ct));
            }

            return;
        }

        // Cancelled, retried or taken over while we worked: this result is stale. Its images carry
        // this attempt in their names, so deleting them cannot touch anyone else's.
        logger.LogInformation("Generation {GenerationId} attempt {Attempt}: result discarded, the generation was cancelled or taken over", claimed.Id, claimed.Attempt);
        await TidyAsync(claimed, () => images.DeleteAsync(stored.Select(s => s.BlobName), ct));
    }

    // The outcome is recorded; a failure to tidy blobs must not make the queue deliver the message
    // again. What is left is removed by the repair's orphan sweep.
    private async Task TidyAsync(Generation claimed, Func<Task> tidy)
    {
        try
        {
            await tidy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt}: leftover images not deleted; the orphan sweep will", claimed.Id, claimed.Attempt);
        }
    }

    private async Task ReleaseQuietlyAsync(Generation claimed)
    {
        try
        {
            await store.ReleaseAsync(claimed, clock.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt}: claim not released; it expires by itself", claimed.Id, claimed.Attempt);
        }
    }
}

/// <summary>
/// Thrown to make the Functions host deliver the message again (after host.json visibilityTimeout):
/// Gemini was temporarily unavailable and this run still has attempts left.
/// </summary>
public sealed class GenerationRetryException(Guid generationId, string failureCode)
    : Exception($"Generation {generationId} will be retried after {failureCode}.");
