using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Uploads;

/// <summary>The body of POST /uploads: what the phone is about to send.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class CreateUploadRequest
{
    public string? MimeType { get; set; }

    /// <summary>The exact size the blob will have; a create refuses the upload otherwise.</summary>
    public long? Bytes { get; set; }
}

/// <summary>Where to PUT the bytes (Put Blob, or Put Block + Put Block List), until when, and at most how many.</summary>
public sealed record UploadResponse(Guid Id, Uri UploadUrl, DateTimeOffset ExpiresAt, long MaxBytes);
