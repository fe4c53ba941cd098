using System.Text.Json;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Webhooks;

/// <summary>
/// What a webhook says about an event, the same for the scheduled attempts and a manual redelivery:
/// Standard Webhooks' envelope (type, timestamp, data), data being the generation as the API shows it
/// to its owner (with its <c>expiresAt</c>), read when it is sent.
/// </summary>
public sealed class WebhookPayloads(ApiRoleStore generations, GenerationResults results)
{
    /// <summary>The webhook-id of every delivery of the event: receivers dedupe on it.</summary>
    public static string MessageIdOf(GenerationEvent ended) => $"msg_{ended.Id}";

    public static string EventTypeOf(GenerationEvent ended) => $"generation.{ended.Status}";

    public async Task<string> ForAsync(GenerationEvent ended, CancellationToken ct)
    {
        var generation = await generations.FindAsync(ended.OwnerId, ended.GenerationId, ct);
        object? data = generation is null ? new { id = ended.GenerationId, status = ended.Status } : await results.ToResponseAsync(generation, ct);
        return JsonSerializer.Serialize(new { type = EventTypeOf(ended), timestamp = ended.OccurredAt, data }, ApiJson.Options);
    }
}
