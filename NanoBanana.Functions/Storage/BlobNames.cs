namespace NanoBanana.Functions.Storage;

/// <summary>
/// Where a generation's images live. Every name starts with the generation id, so one prefix
/// finds (and deletes) all of a generation's blobs, and a blob's owner row is found from its name.
/// </summary>
public static class BlobNames
{
    public static string Prefix(Guid generationId) => $"{generationId:D}/";

    public static string Input(Guid generationId, int index) => $"{generationId:D}/input-{index}";

    public static string OutputPrefix(Guid generationId) => $"{generationId:D}/output-";

    /// <summary>
    /// A result image. The attempt is part of the name, so a stale attempt that finishes late writes
    /// beside the winner's image, never over it; the same attempt writing again overwrites.
    /// </summary>
    public static string Output(Guid generationId, int attempt, int index) => $"{generationId:D}/output-{attempt}-{index}";

    /// <summary>An interim image of an attempt's call (a draft), numbered in the order it came.</summary>
    public static string Draft(Guid generationId, int attempt, int index) => $"{generationId:D}/draft-{attempt}-{index}";

    public static bool TryGetGenerationId(string blobName, out Guid generationId) =>
        Guid.TryParseExact(blobName.Split('/', 2)[0], "D", out generationId);
}
