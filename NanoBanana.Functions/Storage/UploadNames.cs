namespace NanoBanana.Functions.Storage;

/// <summary>Where an upload's bytes live: one blob per upload in the uploads container, named after its id.</summary>
public static class UploadNames
{
    public static string Blob(Guid uploadId) => uploadId.ToString("D");
}
