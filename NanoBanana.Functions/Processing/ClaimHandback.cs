using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// Hands a claim back for a later attempt (processing -> pending, fenced on the attempt) and gets
/// that attempt delivered: after the wait Google asked for, at once when the host is stopping, or
/// by the queue's own redelivery after an unexpected error. The current delivery then ends cleanly,
/// so the host deletes its message and only the new one brings the generation back.
/// </summary>
public sealed class ClaimHandback(
    MaintenanceRoleStore store, GenerationQueue queue, IOptions<ProcessingOptions> options, TimeProvider clock, ILogger<ClaimHandback> logger)
{
    // The host gives a cancelled invocation a couple of seconds; handing back takes two short calls.
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Transient trouble with the run's limits not reached: the next attempt waits what Google asked
    /// (RetryInfo.retryDelay, Retry-After) or a backoff, bounded by Processing__MaxRetryDelaySeconds.
    /// Not cancellable: two short calls, which must not stop half-way (released but never re-sent).
    /// </summary>
    public async Task RetryLaterAsync(Generation claimed, GeminiFailure failure)
    {
        var delay = options.Value.DelayBeforeNextAttempt(failure.RetryAfter, claimed.RunAttempt);
        var now = clock.GetUtcNow();
        var waiting = new GenerationError(failure.Code, failure.Message, Retryable: true);
        if (!await store.ReleaseAsync(claimed, now, now + delay, refund: failure.NotStarted, waiting, CancellationToken.None))
        {
            logger.LogInformation("Generation {GenerationId} attempt {Attempt} hit {FailureCode} but was cancelled or taken over meanwhile",
                claimed.Id, claimed.Attempt, failure.Code);
            return;
        }

        await SendAsync(claimed, delay, CancellationToken.None);
        logger.LogWarning("Generation {GenerationId} attempt {Attempt} hit {FailureCode}; the next attempt starts in {DelaySeconds} s",
            claimed.Id, claimed.Attempt, failure.Code, delay.TotalSeconds);
    }

    /// <summary>
    /// The host is stopping (drain, scale-in, deploy) or timing the function out: the call was
    /// cancelled; the generation goes back at once, with a message another instance picks up now.
    /// When the release itself fails, the lease runs out and the repair sweep takes over.
    /// </summary>
    public async Task OnShutdownAsync(Generation claimed)
    {
        using var grace = new CancellationTokenSource(ShutdownGrace);
        var now = clock.GetUtcNow();
        try
        {
            if (!await store.ReleaseAsync(claimed, now, now, refund: false, failure: null, grace.Token))
            {
                return;
            }
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt}: not handed back at shutdown; its lease runs out and the repair sweep takes over",
                claimed.Id, claimed.Attempt);
            return;
        }

        await SendAsync(claimed, TimeSpan.Zero, grace.Token);
        logger.LogWarning("Generation {GenerationId} attempt {Attempt} handed back as the host stops; its next attempt can start now",
            claimed.Id, claimed.Attempt);
    }

    /// <summary>
    /// Something broke (storage, database): give the claim back for the message's redelivery, which
    /// the host makes after visibilityTimeout because the function throws. Best effort: the lease
    /// expires by itself otherwise.
    /// </summary>
    public async Task AfterErrorAsync(Generation claimed)
    {
        try
        {
            var now = clock.GetUtcNow();
            await store.ReleaseAsync(claimed, now, now, refund: false, failure: null, CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt}: claim not released; it expires by itself", claimed.Id, claimed.Attempt);
        }
    }

    // If the message cannot be sent, the row is marked unsent (the next repair sweep sends it) and the
    // delivery fails, so the host also brings the current message back after visibilityTimeout.
    private async Task SendAsync(Generation claimed, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await queue.SendAsync(claimed.Id, delay, ct);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Generation {GenerationId}: message for the next attempt not sent; the queue delivers this one again", claimed.Id);
            await store.MarkNotEnqueuedAsync(claimed.Id, CancellationToken.None);
            throw new GenerationRetryException(claimed.Id, "the next attempt's message could not be sent");
        }
    }
}
