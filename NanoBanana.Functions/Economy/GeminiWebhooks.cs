using System.Text.Json;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Data;

namespace NanoBanana.Functions.Economy;

/// <summary>
/// What a verified delivery of Gemini's webhook does. Google's envelope (ai.google.dev/gemini-api/docs/webhooks,
/// "Webhook envelope" and "Event catalog"; the event names also in ai.google.dev/api/webhooks) is a thin payload:
/// <c>{"type": "batch.succeeded", "version": "v1", "timestamp": ..., "data": {"id": ..., "output_file_uri": ...}}</c>,
/// batch types batch.succeeded, batch.failed, batch.cancelled and batch.expired. A batch event wakes the job it
/// names: due now, and the follower woken (<see cref="EconomyJobsWoken"/>), which asks Google for the job's state
/// as it does at a poll. Nothing in the payload is trusted beyond "look at this job now", so a stale or replayed
/// event completes nothing; polling stays the fallback for a delivery lost.
/// </summary>
public sealed class GeminiWebhooks(EconomyStore store, EconomyJobsWoken woken, TimeProvider clock, ILogger<GeminiWebhooks> logger)
{
    private const string BatchEventPrefix = "batch.";
    private const string BatchNamePrefix = "batches/";

    /// <param name="deliveryId">The webhook-id header (verified): Google delivers at least once, a delivery seen again wakes nothing.</param>
    public async Task<GeminiWebhookOutcome> ReceiveAsync(string deliveryId, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var (type, id) = Read(body);
        if (type is null || !type.StartsWith(BatchEventPrefix, StringComparison.Ordinal))
        {
            // Interactions and video events, or a type Google adds later: not ours to act on, and 2xx so Google stops retrying.
            logger.LogInformation("Gemini webhook {DeliveryId}: event {EventType} ignored", deliveryId, type ?? "(none)");
            return GeminiWebhookOutcome.Ignored;
        }

        if (string.IsNullOrEmpty(id))
        {
            logger.LogWarning("Gemini webhook {DeliveryId}: {EventType} names no batch; ignored (the job is still polled)", deliveryId, type);
            return GeminiWebhookOutcome.Ignored;
        }

        // Our rows keep the operation's name (batches/{id}); the envelope's example shows a bare id.
        var name = id.Contains('/', StringComparison.Ordinal) ? id : BatchNamePrefix + id;
        var job = await store.WakeJobAsync(name, deliveryId, clock.GetUtcNow(), ct);
        if (job is null)
        {
            logger.LogInformation("Gemini webhook {DeliveryId}: {EventType} for {GeminiName}, a batch this app has no job for", deliveryId, type, name);
            return GeminiWebhookOutcome.UnknownJob;
        }

        if (!job.Woken)
        {
            logger.LogDebug("Gemini webhook {DeliveryId}: {EventType} for economy job {JobId} ({State}): already seen or no longer open",
                deliveryId, type, job.Id, job.State);
            return job.State == "open" ? GeminiWebhookOutcome.Duplicate : GeminiWebhookOutcome.JobEnded;
        }

        logger.LogInformation("Gemini webhook {DeliveryId}: {EventType} for economy job {JobId} ({GeminiName}): followed now", deliveryId, type, job.Id, name);
        woken.Signal();
        return GeminiWebhookOutcome.Woken;
    }

    // Tolerant: the envelope is Google's and may grow; what is not a JSON object with a string type is no event of ours.
    private static (string? Type, string? Id) Read(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return (null, null);
            }

            var id = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                     && data.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            return (type.GetString(), id);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}

/// <summary>What a delivery did, in the 200's body (Google reads only the status; this is for whoever debugs it).</summary>
public enum GeminiWebhookOutcome
{
    /// <summary>The job is due now and the follower was woken.</summary>
    Woken,

    /// <summary>This delivery woke the job before (Google's retry of one we answered).</summary>
    Duplicate,

    /// <summary>The job is no longer open (followed to its end already, by a poll or an earlier event).</summary>
    JobEnded,

    /// <summary>No job of this app has that batch's name (another app of the same Google project, or one long deleted).</summary>
    UnknownJob,

    /// <summary>Not a batch event, or one naming no batch.</summary>
    Ignored,
}
