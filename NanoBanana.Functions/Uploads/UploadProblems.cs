using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Uploads;

/// <summary>The refusals of an upload at create, each with its status and stable code.</summary>
public static class UploadProblems
{
    /// <summary>Absent, or someone else's: the two look the same, as generations do.</summary>
    public static ApiProblemException NotFound(string field) =>
        new(StatusCodes.Status404NotFound, ProblemCodes.UploadNotFound, "Upload not found.",
            $"{field}.uploadId names no upload of the signed-in user (POST /uploads first; unused uploads are deleted after a while).")
        {
            Errors = [new FieldError($"{field}.uploadId", ProblemCodes.UploadNotFound, $"{field}.uploadId names no upload of the signed-in user.")],
        };

    public static FieldError Incomplete(string field) =>
        new($"{field}.uploadId", ProblemCodes.UploadIncomplete,
            $"{field}'s bytes are not in storage yet: finish the upload (commit the block list) before creating.");

    public static FieldError SizeMismatch(string field, long declared, long actual) =>
        new($"{field}.uploadId", ProblemCodes.UploadSizeMismatch,
            $"{field} was declared {declared} bytes but {actual} bytes were uploaded; upload it again.");
}
