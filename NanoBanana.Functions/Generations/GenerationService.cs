using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Realtime;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Generations;

/// <summary>
/// What the API does with generations. A create or a retry writes its row and its queue message's
/// outbox entry in one transaction and answers after the commit; the outbox dispatcher sends the message
/// (<see cref="Outbox.QueueOutboxDispatcher"/>), so the answer never waits on the queue. Every method acts
/// for one owner; another owner's generation is indistinguishable from a missing one.
/// </summary>
public sealed class GenerationService(
    ApiRoleStore store,
    ImageStore images,
    GenerationQueue queue,
    QueuedMessages queued,
    PersonalGeminiKeys personalKeys,
    IOptions<LimitsOptions> limits,
    GenerationMetrics metrics,
    KnownVersions known,
    TimeProvider clock,
    ILogger<GenerationService> logger)
{
    /// <param name="personalKey">The caller's own Gemini key, if sent; never stored in clear.</param>
    public async Task<CreatedGeneration> CreateAsync(string ownerId, NewGeneration request, string? personalKey, CancellationToken ct)
    {
        // A repeat with images is answered before they are uploaded again. Without images the insert
        // itself finds the key taken (one round trip fewer for every create), and the answer is the same.
        if (request.IdempotencyKey is { } key && request.Images.Count > 0 && await store.FindByIdempotencyKeyAsync(ownerId, key, ct) is { } earlier)
        {
            return Replay(earlier, request);
        }

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var sealedKey = personalKeys.SealFor(id, personalKey);
        request = request with { Options = request.Options with { PersonalKey = personalKey is null ? null : true } };
        // If the upload or the insert fails, the blobs stay: the insert may have committed before the
        // connection broke, and its row then needs them. Unreferenced ones go in the orphan sweep.
        var inputs = await UploadInputsAsync(id, request.Images, ct);
        var outcome = await store.InsertAsync(id, ownerId, request, inputs, sealedKey, limits.Value, queue.Name, clock.GetUtcNow(), ct);

        if (outcome.Limit is { } limit)
        {
            if (request.Images.Count > 0)
            {
                await DeleteBlobsQuietlyAsync(id);
            }

            // A repeat of a create that has just gone through counts against the limit it used
            // itself: answer it with that generation, not with a 429.
            if (request.IdempotencyKey is { } repeatedKey && await store.FindByIdempotencyKeyAsync(ownerId, repeatedKey, ct) is { } original)
            {
                return Replay(original, request);
            }

            logger.LogInformation("Create refused for {OwnerId}: {Limit} limit reached", ownerId, limit.Kind);
            throw new LimitExceededException(limit);
        }

        if (outcome.Created is not { } created)
        {
            // A concurrent request with the same Idempotency-Key stored its row first: answer with that one.
            if (request.Images.Count > 0)
            {
                await DeleteBlobsQuietlyAsync(id);
            }

            var winner = await store.FindByIdempotencyKeyAsync(ownerId, request.IdempotencyKey!, ct)
                         ?? throw new InvalidOperationException($"Idempotency conflict for generation {id} but no row holds the key.");
            return Replay(winner, request);
        }

        logger.LogInformation("Generation {GenerationId} created with {InputImageCount} input images in the {Lane} lane", id, request.Images.Count, request.Lane.ToName());
        metrics.Created();
        if (request.Lane == GenerationLane.Standard)
        {
            queued.Signal(); // committed: this instance's dispatcher sends the message now, without waiting for the NOTIFY
        }

        // An economy one has no message: it waits for the batcher (Economy/EconomyBatcher), never for the queue.
        return new CreatedGeneration(created, Replayed: false);
    }

    public async Task<Generation> GetAsync(string ownerId, Guid id, CancellationToken ct) =>
        await store.FindAsync(ownerId, id, ct) ?? throw new GenerationNotFoundException();

    /// <summary>Only what a conditional poll needs (<see cref="GenerationVersion"/>); absent and someone else's alike are not found.</summary>
    public async Task<GenerationVersion> GetVersionAsync(string ownerId, Guid id, CancellationToken ct) =>
        await store.FindVersionAsync(ownerId, id, ct) ?? throw new GenerationNotFoundException();

    /// <summary>One page of history, newest first, and where the next page starts (null at the end).</summary>
    public async Task<(IReadOnlyList<Generation> Items, HistoryPosition? Next)> ListAsync(
        string ownerId, GenerationStatus? status, HistoryPosition? after, int limit, CancellationToken ct)
    {
        var rows = await store.ListAsync(ownerId, status, after, limit + 1, ct);
        if (rows.Count <= limit)
        {
            return (rows, null);
        }

        var page = rows.Take(limit).ToList();
        return (page, new HistoryPosition(page[^1].CreatedAt, page[^1].Id));
    }

    /// <param name="optionsForRun">
    /// The options the new run uses, from the generation as it stands (the API's: its model while still
    /// offered, else the default; it refuses options the model does not take). Null: unchanged.
    /// </param>
    public async Task<Generation> RetryAsync(
        string ownerId, Guid id, string? personalKey, CancellationToken ct, Func<Generation, GenerationOptions>? optionsForRun = null)
    {
        var existing = await GetAsync(ownerId, id, ct); // not found comes before anything about keys
        if (!existing.Status.IsRetryable())
        {
            throw new GenerationNotRetryableException(existing.Status);
        }

        var options = (optionsForRun?.Invoke(existing) ?? existing.Options) with { PersonalKey = personalKey is null ? null : true };
        if (options.Model != existing.Options.Model)
        {
            logger.LogInformation("Generation {GenerationId} retries on {Model}: {PreviousModel} is no longer offered", id, options.Model, existing.Options.Model);
        }

        var sealedKey = personalKeys.SealFor(id, personalKey);
        var (requeued, limit, current) = await store.RequeueAsync(ownerId, id, options, sealedKey, limits.Value, queue.Name, clock.GetUtcNow(), ct);
        if (requeued is null)
        {
            // The statement says why, from the row under its lock: deleted meanwhile, a limit, or another status.
            throw current switch
            {
                null => new GenerationNotFoundException(),
                { } status when status.IsRetryable() && limit is not null => new LimitExceededException(limit),
                { } status => new GenerationNotRetryableException(status),
            };
        }

        known.Wrote(id, requeued.Version);
        logger.LogInformation("Generation {GenerationId} queued again by its owner (retry {RetryCount})", id, requeued.RetryCount);
        queued.Signal();
        return requeued;
    }

    /// <summary>
    /// Cancels a pending or processing generation, saying whether a paid call had started (cancelOutcome);
    /// cancelling a cancelled or expired one changes nothing.
    /// </summary>
    public async Task<Generation> CancelAsync(string ownerId, Guid id, CancellationToken ct)
    {
        var outcome = await store.CancelAsync(ownerId, id, clock.GetUtcNow(), ct);
        if (outcome is { Applied: true, Row: { } cancelled })
        {
            metrics.Stopped(cancelled.Status, cancelled.CancelOutcome, "owner");
            known.Wrote(id, cancelled.Version);
            logger.LogInformation("Generation {GenerationId} cancelled by its owner: {CancelOutcome} ({PaidCalls} paid calls)",
                id, cancelled.CancelOutcome?.ToName(), cancelled.PaidCalls);
            return cancelled;
        }

        // Refused: already stopped is not an error (a repeated cancel answers the same); ended otherwise is.
        var current = outcome.Row ?? throw new GenerationNotFoundException();
        return current.Status.IsStopped() ? current : throw new GenerationNotCancellableException(current.Status);
    }

    public async Task DeleteAsync(string ownerId, Guid id, CancellationToken ct)
    {
        if (!await store.DeleteAsync(ownerId, id, ct))
        {
            throw new GenerationNotFoundException();
        }

        known.Wrote(id, long.MaxValue);

        logger.LogInformation("Generation {GenerationId} deleted by its owner", id);
        // The row is gone, which is what the caller sees. Blobs left behind by a failure here have
        // no row and are removed by the repair sweep's orphan pass.
        await DeleteBlobsQuietlyAsync(id);
    }

    private async Task<List<StoredImage>> UploadInputsAsync(Guid id, IReadOnlyList<InputImage> inputs, CancellationToken ct)
    {
        var stored = new List<StoredImage>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            // An uploaded reference is in storage already (the uploads container): the row only points to it.
            stored.Add(inputs[i].UploadId is { } uploadId
                ? new StoredImage(UploadNames.Blob(uploadId), inputs[i].MimeType, inputs[i].UploadedBytes, uploadId)
                : await images.UploadAsync(BlobNames.Input(id, i), BinaryData.FromBytes(inputs[i].Data), inputs[i].MimeType, ct));
        }

        return stored;
    }

    private async Task DeleteBlobsQuietlyAsync(Guid id)
    {
        try
        {
            await images.DeleteGenerationAsync(id, CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Blobs of generation {GenerationId} not deleted; the orphan sweep will remove them", id);
        }
    }

    private CreatedGeneration Replay(Generation earlier, NewGeneration request)
    {
        if (earlier.RequestHash is null || !earlier.RequestHash.AsSpan().SequenceEqual(request.RequestHash))
        {
            throw new IdempotencyKeyReusedException();
        }

        logger.LogInformation("Generation {GenerationId} returned again for a repeated Idempotency-Key", earlier.Id);
        return new CreatedGeneration(earlier, Replayed: true);
    }
}

/// <summary>The outcome of a create: the generation, and whether it already existed under the same Idempotency-Key.</summary>
public sealed record CreatedGeneration(Generation Generation, bool Replayed);
