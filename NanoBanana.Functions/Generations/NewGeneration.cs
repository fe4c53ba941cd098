namespace NanoBanana.Functions.Generations;

/// <summary>A validated create request, ready to be stored and queued.</summary>
public sealed record NewGeneration(
    string Prompt,
    GenerationOptions Options,
    IReadOnlyList<InputImage> Images,
    string? IdempotencyKey,
    byte[] RequestHash);

/// <summary>An input image from the request, already decoded and sniffed.</summary>
public sealed record InputImage(string MimeType, byte[] Data);
