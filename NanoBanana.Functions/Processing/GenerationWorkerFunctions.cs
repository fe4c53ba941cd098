using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Processing;

/// <summary>The queue side: each message (a generation id) processed once; poisoned ones end their generation.</summary>
public sealed class GenerationWorkerFunctions(GenerationProcessor processor, ILogger<GenerationWorkerFunctions> logger)
{
    [Function("ProcessGeneration")]
    public async Task Process([QueueTrigger("%Storage:QueueName%")] string message, CancellationToken ct)
    {
        if (ParseId(message) is { } id)
        {
            await processor.ProcessAsync(id, ct);
        }
    }

    [Function("FailUndeliverableGeneration")]
    public async Task FailUndeliverable([QueueTrigger("%Storage:QueueName%" + AppQueues.PoisonSuffix)] string message, CancellationToken ct)
    {
        if (ParseId(message) is { } id)
        {
            await processor.FailUndeliverableAsync(id, ct);
        }
    }

    // Messages are written by this app only; anything else is dropped (returning deletes it), not retried.
    private Guid? ParseId(string message)
    {
        if (Guid.TryParseExact(message.Trim(), "D", out var id))
        {
            return id;
        }

        logger.LogError("Dropped a queue message that is not a generation id ({Length} characters)", message.Length);
        return null;
    }
}
