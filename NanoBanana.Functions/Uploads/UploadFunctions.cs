using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Uploads;

/// <summary>
/// POST /uploads: the Valet Key. The phone says what it will send; the answer is a write-only URL for
/// one blob, minutes long, that it PUTs the bytes to itself, so a reference never passes through a function.
/// </summary>
public sealed class UploadFunctions(
    ICallerAuthenticator authenticator,
    UploadStore store,
    UploadSas sas,
    IOptions<UploadOptions> options,
    IOptions<GeminiOptions> gemini,
    IOptions<ApiOptions> api,
    TimeProvider clock,
    ILogger<UploadFunctions> logger)
{
    [Function("CreateUpload")]
    public async Task<Created<UploadResponse>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "uploads")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        var body = await JsonBody.ReadAsync<CreateUploadRequest>(request, api.Value.MaxFieldBytes, ct);
        var (mimeType, bytes) = Validate(body);

        var upload = new UploadRecord(Guid.CreateVersion7(clock.GetUtcNow()), mimeType, bytes, clock.GetUtcNow());
        // Row first: a URL is only handed out for an upload the database knows, so the cleanup finds every blob's owner.
        await store.InsertAsync(caller.UserId, upload, ct);
        var (url, expiresAt) = await sas.WriteUrlAsync(upload.Id, ct);
        logger.LogInformation("Upload {UploadId} of {Bytes} bytes ({MimeType}) opened for {OwnerId} until {ExpiresAt:u}",
            upload.Id, bytes, mimeType, caller.UserId, expiresAt);
        return TypedResults.Created((string?)null, new UploadResponse(upload.Id, url, expiresAt, options.Value.MaxBytes));
    }

    private (string MimeType, long Bytes) Validate(CreateUploadRequest body)
    {
        var errors = new List<FieldError>();
        // Any type an offered model takes; the create checks it against the model it chose.
        var accepted = gemini.Value.OfferedModels.SelectMany(m => gemini.Value.Spec(m).InputMimeTypes).Distinct().ToList();
        if (body.MimeType is null || !accepted.Contains(body.MimeType))
        {
            errors.Add(new("mimeType", ProblemCodes.InvalidUpload, $"mimeType must be one of {string.Join(", ", accepted)}.") { Allowed = accepted });
        }

        var max = options.Value.MaxBytes;
        if (body.Bytes is not > 0)
        {
            errors.Add(new("bytes", ProblemCodes.InvalidUpload, "bytes must be the upload's exact size, a positive number."));
        }
        else if (body.Bytes > max)
        {
            errors.Add(new("bytes", ProblemCodes.UploadTooLarge, $"bytes is {body.Bytes}; an upload may be at most {max} bytes."));
        }

        return errors.Count > 0 ? throw Problems.Validation(errors) : (body.MimeType!, body.Bytes!.Value);
    }
}
