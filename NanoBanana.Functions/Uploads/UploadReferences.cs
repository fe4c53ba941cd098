using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;

using NanoBanana.Functions.Storage;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// At create, turns each <c>{uploadId}</c> of a validated request into an input image: the upload must be
/// the caller's (its row, under row-level security), its type one the chosen model takes, and its blob
/// committed with exactly the declared size (the blob's properties: nothing is downloaded). All before
/// anything is written, so a refused create leaves nothing behind.
/// </summary>
public sealed class UploadReferences(UploadStore store, UploadSas sas, IOptions<GeminiOptions> gemini, ILogger<UploadReferences> logger)
{
    public async Task<NewGeneration> ResolveAsync(string ownerId, NewGeneration request, CancellationToken ct)
    {
        var uploadIds = request.Images.Where(i => i.UploadId is not null).Select(i => i.UploadId!.Value).Distinct().ToList();
        if (uploadIds.Count == 0)
        {
            return request;
        }

        var found = (await store.FindAsync(ownerId, uploadIds, ct)).ToDictionary(u => u.Id);
        var model = gemini.Value.Spec(request.Options.Model ?? gemini.Value.Model);
        var errors = new List<FieldError>();
        var resolved = new List<InputImage>(request.Images.Count);
        for (var i = 0; i < request.Images.Count; i++)
        {
            var image = request.Images[i];
            if (image.UploadId is not { } uploadId)
            {
                resolved.Add(image);
                continue;
            }

            var field = $"images[{i}]";
            if (!found.TryGetValue(uploadId, out var upload))
            {
                throw UploadProblems.NotFound(field);
            }

            if (!ModelChoiceRules.CheckImageType(field, upload.MimeType, model, errors))
            {
                continue;
            }

            var size = await CommittedSizeAsync(uploadId, ct);
            if (size is null)
            {
                errors.Add(UploadProblems.Incomplete(field));
            }
            else if (size != upload.DeclaredBytes)
            {
                errors.Add(UploadProblems.SizeMismatch(field, upload.DeclaredBytes, size.Value));
            }
            else
            {
                resolved.Add(image with { MimeType = upload.MimeType, UploadedBytes = size.Value });
            }
        }

        return errors.Count > 0 ? throw Problems.Validation(errors) : request with { Images = resolved };
    }

    /// <summary>
    /// Notes the generation as the uploads' first user, for the operator. Whether an upload is still needed
    /// is read from the generations that refer to it, so a failure here loses nothing: it is not retried.
    /// </summary>
    public async Task MarkUsedAsync(string ownerId, Guid generationId, NewGeneration request, CancellationToken ct)
    {
        var uploadIds = request.Images.Where(i => i.UploadId is not null).Select(i => i.UploadId!.Value).Distinct().ToList();
        if (uploadIds.Count == 0)
        {
            return;
        }

        try
        {
            await store.MarkUsedAsync(ownerId, generationId, uploadIds, ct);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Uploads of generation {GenerationId} not marked used; the generation refers to them all the same", generationId);
        }
    }

    // Uncommitted blocks do not make a blob: until Put Block List, the blob is absent (404).
    private async Task<long?> CommittedSizeAsync(Guid uploadId, CancellationToken ct)
    {
        try
        {
            return (await sas.Container.GetBlobClient(UploadNames.Blob(uploadId)).GetPropertiesAsync(cancellationToken: ct)).Value.ContentLength;
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }
}
