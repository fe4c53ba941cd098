using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Secrets;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// Turns one queue delivery into at most one paid Gemini call: claim the row, keep the claim alive
/// with a heartbeat, reserve the call in the row, call Gemini, store the images, record the outcome
/// under the claim's attempt. A delivery that finds nothing to claim (duplicate, late, cancelled,
/// finished) does nothing; one that hits transient trouble hands the generation back for a later
/// attempt (<see cref="ClaimHandback"/>), within the run's limits (<see cref="RunLimits"/>).
/// </summary>
public sealed class GenerationProcessor(
    MaintenanceRoleStore store,
    ImageStore images,
    Uploads.UploadedInputs uploads,
    IGeminiClient gemini,
    ApiKeyProtector keys,
    ClaimHeartbeats heartbeats,
    ClaimHandback handback,
    DraftKeeper drafts,
    LivenessSession liveness,
    NotLiveDeferrals deferrals,
    GenerationQueue queue,
    RunLimits limits,
    IOptions<ProcessingOptions> options,
    IOptions<GeminiOptions> geminiOptions,
    GenerationMetrics metrics,
    TimeProvider clock,
    ILogger<GenerationProcessor> logger)
{
    /// <param name="ct">The invocation's token: fires when the host stops or times the function out.</param>
    public async Task ProcessAsync(Guid id, CancellationToken ct)
    {
        if (liveness.Enabled)
        {
            if (!await liveness.IsUpAsync(ct))
            {
                await HandOnAsync(id, ct);
                return;
            }

            deferrals.Forget();
        }

        var (taken, row) = await store.TakeAsync(id, clock.GetUtcNow(), options.Value.Lease, limits, ct);
        if (taken != DeliveryTake.Claimed || row is not { } claimed)
        {
            ReportUnclaimed(id, taken, row);
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["GenerationId"] = id, ["Attempt"] = claimed.Attempt });
        if (claimed.EnqueuedAt is { } enqueuedAt)
        {
            metrics.Claimed(clock.GetUtcNow() - enqueuedAt);
        }

        logger.LogInformation("Generation {GenerationId} attempt {Attempt} claimed ({RunAttempt} of {MaxAttempts} in this run)",
            id, claimed.Attempt, claimed.RunAttempt, limits.MaxAttempts);
        // Disposed last: the lock is released only once the claim has ended (no sweep sees it live but unlocked).
        await using var live = await HoldLivenessAsync(claimed, ct);
        await using var heartbeat = heartbeats.Start(claimed, ct);
        // The caller's deadline stops the work where it stands (the call in flight is aborted).
        using var deadline = claimed.DeadlineAt is { } at ? new CancellationTokenSource(Max(at - clock.GetUtcNow(), TimeSpan.Zero), clock) : null;
        using var work = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(heartbeat.Token, deadline.Token);
        var token = work?.Token ?? heartbeat.Token;
        try
        {
            if (await GenerateAsync(claimed, token) is { } call)
            {
                await RecordAsync(claimed, call, heartbeat, token, ct);
            }
        }
        catch (OperationCanceledException) when (heartbeat.Lost)
        {
            logger.LogInformation("Generation {GenerationId} attempt {Attempt} stopped: the generation was cancelled, deleted or taken over", id, claimed.Attempt);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await handback.OnShutdownAsync(claimed);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
        {
            await StopAtDeadlineAsync(claimed);
        }
        catch (Exception exception) when (exception is not GenerationRetryException)
        {
            // Hand the claim back so the message's next delivery can take over now, not after the lease.
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt} broke off; releasing its claim", id, claimed.Attempt);
            await handback.AfterErrorAsync(claimed);
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

    // The instance cannot say it is alive, so it claims nothing: the message goes round again for an
    // instance that can (or this one, reconnected). If the send fails, the queue's redelivery does it.
    // The delay grows per hand-on of the generation (NotLiveDeferrals), so a long outage does not flood the queue.
    private async Task HandOnAsync(Guid id, CancellationToken ct)
    {
        var delay = deferrals.Next(id);
        await queue.SendAsync(id, delay, ct);
        metrics.NotLiveDeferral();
        logger.LogWarning("Generation {GenerationId} not claimed: this instance's liveness session is down; its message is due again in {DelaySeconds} s",
            id, delay.TotalSeconds);
    }

    private async Task<LivenessHold?> HoldLivenessAsync(Generation claimed, CancellationToken ct)
    {
        if (!liveness.Enabled)
        {
            return null;
        }

        if (await liveness.HoldAsync(claimed, ct) is not { } hold)
        {
            logger.LogWarning("Generation {GenerationId} attempt {Attempt}: no liveness lock; a crash is noticed when the lease runs out", claimed.Id, claimed.Attempt);
            return null;
        }

        try
        {
            if (await store.MarkLiveAsync(claimed, hold.Key, clock.GetUtcNow(), ct))
            {
                return hold;
            }
        }
        catch
        {
            await hold.DisposeAsync();
            throw;
        }

        await hold.DisposeAsync(); // the claim is gone already; the heartbeat will say so
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private async Task StopAtDeadlineAsync(Generation claimed)
    {
        if (await store.StopAtDeadlineAsync(claimed, clock.GetUtcNow(), CancellationToken.None) is { } stopped)
        {
            metrics.Stopped(stopped.Status, stopped.CancelOutcome, "deadline");
            logger.LogWarning("Generation {GenerationId} attempt {Attempt} stopped at its deadline {DeadlineAt}: {Status}, {CancelOutcome} ({PaidCalls} paid calls)",
                claimed.Id, claimed.Attempt, claimed.DeadlineAt, stopped.Status.ToName(), stopped.CancelOutcome?.ToName(), stopped.PaidCalls);
        }
        else
        {
            logger.LogInformation("Generation {GenerationId} attempt {Attempt} reached its deadline but was cancelled or taken over meanwhile", claimed.Id, claimed.Attempt);
        }
    }

    // Nothing to claim: past its deadline (expire it), out of attempts or paid calls (fail it), or simply not ours to take.
    // The delivery's statement ended a generation that could never be claimed, or found nothing to do.
    private void ReportUnclaimed(Guid id, DeliveryTake taken, Generation? ended)
    {
        switch (taken, ended)
        {
            case (DeliveryTake.Expired, { } expired):
                metrics.Stopped(expired.Status, expired.CancelOutcome, "deadline");
                logger.LogWarning("Generation {GenerationId} not started: its deadline {DeadlineAt} passed; {Status}, {CancelOutcome}",
                    id, expired.DeadlineAt, expired.Status.ToName(), expired.CancelOutcome?.ToName());
                break;
            case (DeliveryTake.Exhausted, { } failed):
                var code = failed.Error?.Code ?? GenerationErrorCodes.Stuck;
                metrics.Failed(code);
                logger.LogWarning("Generation {GenerationId} failed {ErrorCode}: its run used up its attempts or paid calls ({Attempt} claims)", id, code, failed.RunAttempt);
                break;
            default:
                logger.LogInformation("Generation {GenerationId} has nothing to claim (duplicate or late message, cancelled, or finished)", id);
                break;
        }
    }

    /// <returns>The call's outcome with the paid calls of the run so far; null when the claim was lost before the call.</returns>
    private async Task<(GeminiOutcome Outcome, int CallsUsed)?> GenerateAsync(Generation generation, CancellationToken ct)
    {
        // The user's own key, opened only here, only for this call; null means the server's key.
        string? personalKey = null;
        if (generation.ApiKey is { } sealedKey && (personalKey = keys.TryUnseal(sealedKey, generation.Id)) is null)
        {
            return (GeminiOutcome.Failed(new GeminiFailure(GenerationErrorCodes.ApiKeyUnavailable,
                "Your Gemini key could not be read back. Retry the generation with the key.", Transient: false)), 0);
        }

        var inputs = new List<GeminiImage>(generation.InputImages.Count);
        foreach (var input in generation.InputImages)
        {
            if (input.UploadId is not null)
            {
                var uploaded = await uploads.ReadAsync(input, ct);
                if (uploaded.Failure is { } failure)
                {
                    return (GeminiOutcome.Failed(failure), 0);
                }

                inputs.Add(uploaded.Image!);
                continue;
            }

            var content = await images.DownloadAsync(input.BlobName, ct);
            if (content is null)
            {
                return (GeminiOutcome.Failed(new GeminiFailure(GenerationErrorCodes.InputMissing,
                    "An input image of this generation is no longer available. Create the generation again.", Transient: false)), 0);
            }

            inputs.Add(new GeminiImage(input.MimeType, content.ToArray()));
        }

        // Write-ahead: the call is counted before it is sent, so no crash can leave it uncounted.
        if (await store.ReserveCallAsync(generation, limits.MaxCalls, clock.GetUtcNow(), ct) is not { } callsUsed)
        {
            logger.LogInformation("Generation {GenerationId} attempt {Attempt}: no call made, the generation was cancelled or taken over", generation.Id, generation.Attempt);
            return null;
        }

        var model = generation.Options.Model ?? geminiOptions.Value.Model;
        var started = clock.GetTimestamp();
        var outcome = await gemini.GenerateAsync(
            new GeminiRequest(model, generation.Prompt, inputs, generation.Options.AspectRatio, generation.Options.Resolution, personalKey,
                drafts.For(generation, ct)), ct);
        var latency = clock.GetElapsedTime(started);
        metrics.GeminiCall(latency, outcome.Failure?.Code ?? "ok");
        if (outcome.Failure?.Code == GeminiFailureCodes.ModelNotFound)
        {
            metrics.ModelNotFound(model, "generation");
        }
        logger.LogInformation("Gemini {Model} answered in {GeminiMs} ms: {Outcome} (paid call {CallsUsed} of {MaxCalls} in this run)",
            model, (long)latency.TotalMilliseconds, outcome.Failure?.Code ?? $"{outcome.Images.Count} image(s)", callsUsed, limits.MaxCalls);
        return (outcome, callsUsed);
    }

    /// <param name="host">For tidying after the outcome is recorded: the claim has ended then, so its work token no longer applies.</param>
    /// <param name="heartbeat">Stopped just before the outcome is written: the claim ends with it, and a beat after that would find it gone.</param>
    private async Task RecordAsync(
        Generation claimed, (GeminiOutcome Outcome, int CallsUsed) call, ClaimHeartbeat heartbeat, CancellationToken ct, CancellationToken host)
    {
        if (call.Outcome.Failure is not { } failure)
        {
            await CompleteAsync(claimed, call.Outcome, heartbeat, ct, host);
            return;
        }

        // A refusal Google did no work for is given back; anything else counts against the budget.
        var paid = call.CallsUsed - (failure.NotStarted ? 1 : 0);
        if (failure.Transient && limits.Allows(claimed.RunAttempt, paid))
        {
            await heartbeat.StopAsync();
            await handback.RetryLaterAsync(claimed, failure);
            return;
        }

        var error = new GenerationError(failure.Code, failure.Message, failure.UserMayRetry);
        await heartbeat.StopAsync();
        if (await store.FailAsync(claimed, error, clock.GetUtcNow(), ct))
        {
            metrics.Failed(failure.Code);
            logger.LogWarning("Generation {GenerationId} failed {ErrorCode} on attempt {Attempt} ({Paid} paid calls, {RunAttempt} attempts in this run)",
                claimed.Id, failure.Code, claimed.Attempt, paid, claimed.RunAttempt);
        }
        else
        {
            logger.LogInformation("Generation {GenerationId} attempt {Attempt}: failure {ErrorCode} discarded, the generation was cancelled or taken over",
                claimed.Id, claimed.Attempt, failure.Code);
        }
    }

    private async Task CompleteAsync(Generation claimed, GeminiOutcome outcome, ClaimHeartbeat heartbeat, CancellationToken ct, CancellationToken host)
    {
        var stored = new List<StoredImage>(outcome.Images.Count);
        for (var i = 0; i < outcome.Images.Count; i++)
        {
            var image = outcome.Images[i];
            // On the host's token, not the claim's: an upload cut by a cancel could still land after a
            // tidy looked for it; finished, it is refused by the fenced write below and deleted.
            stored.Add(await images.UploadAsync(BlobNames.Output(claimed.Id, claimed.Attempt, i), BinaryData.FromBytes(image.Data), image.MimeType, host));
        }

        var metadata = JsonSerializer.Serialize(outcome.Usage);
        var now = clock.GetUtcNow();
        await heartbeat.StopAsync();
        if (ct.IsCancellationRequested)
        {
            // Stopped (the claim lost, the deadline) after the uploads, before they were recorded: the
            // only moment this attempt's images exist unrecorded. Its attempt is in their names.
            await TidyAsync(claimed, () => images.DeleteAsync(stored.Select(s => s.BlobName), host));
            ct.ThrowIfCancellationRequested();
        }

        // Not cancellable once sent: a cancel that lands after Postgres committed would make a recorded result look
        // lost, and its images would be deleted under a completed row. The fenced write decides alone: it finds
        // nothing when the claim is gone (cancelled, taken over, ended at its deadline by the sweep).
        var completed = await store.CompleteAsync(claimed, stored, outcome.Text, metadata, now, CancellationToken.None);

        if (completed)
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
                    await images.DeleteAsync((await images.ListAsync(BlobNames.OutputPrefix(claimed.Id), host)).Where(name => !current.Contains(name)), host));
            }

            return;
        }

        // Cancelled, retried or taken over while we worked: this result is stale. Its images carry
        // this attempt in their names, so deleting them cannot touch anyone else's.
        logger.LogInformation("Generation {GenerationId} attempt {Attempt}: result discarded, the generation was cancelled or taken over", claimed.Id, claimed.Attempt);
        await TidyAsync(claimed, () => images.DeleteAsync(stored.Select(s => s.BlobName), host));
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
}

/// <summary>
/// Thrown to make the Functions host deliver the message again (after host.json visibilityTimeout):
/// the message for the generation's next attempt could not be sent.
/// </summary>
public sealed class GenerationRetryException(Guid generationId, string reason)
    : Exception($"Generation {generationId} will be delivered again: {reason}.");
