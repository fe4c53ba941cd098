using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Processing;

/// <summary>
/// Keeps the interim images of a claim's streamed call as drafts: the blob first, then the row and its
/// 'draft' event in one statement fenced on the claim (a draft of a claim that is gone is deleted again).
/// A draft that cannot be kept is logged and skipped: it never fails the generation, whose result is
/// the final image.
/// </summary>
public sealed class DraftKeeper(MaintenanceRoleStore store, ImageStore images, TimeProvider clock, ILogger<DraftKeeper> logger)
{
    /// <summary>What the Gemini client calls with each interim image of <paramref name="claimed"/>'s call.</summary>
    public Func<GeminiImage, Task> For(Generation claimed, CancellationToken ct)
    {
        var next = 0;
        return draft => KeepAsync(claimed, next++, draft, ct); // the stream calls it one image at a time
    }

    private async Task KeepAsync(Generation claimed, int index, GeminiImage draft, CancellationToken ct)
    {
        try
        {
            var stored = await images.UploadAsync(BlobNames.Draft(claimed.Id, claimed.Attempt, index), BinaryData.FromBytes(draft.Data), draft.MimeType, ct);
            if (await store.AddDraftAsync(claimed, stored, clock.GetUtcNow(), ct) is { } kept)
            {
                logger.LogInformation("Generation {GenerationId} attempt {Attempt}: draft {Draft} kept ({Bytes} bytes)", claimed.Id, claimed.Attempt, kept, stored.Bytes);
                return;
            }

            logger.LogInformation("Generation {GenerationId} attempt {Attempt}: draft discarded, the claim is gone", claimed.Id, claimed.Attempt);
            await images.DeleteAsync([stored.BlobName], CancellationToken.None); // the claim's token is likely cancelled by now
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Generation {GenerationId} attempt {Attempt}: draft {Draft} not kept; the generation goes on", claimed.Id, claimed.Attempt, index);
        }
    }
}
