using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Gemini.Wire;

// The generateContent request body, as Google documents it (camelCase JSON). Only what we send.

internal sealed record GenerateContentRequest(IReadOnlyList<Content> Contents, GenerationConfig GenerationConfig);

internal sealed record Content(string? Role, IReadOnlyList<Part>? Parts);

/// <summary>
/// A part is text, inline data or file data (a URL Google fetches); the others are null and not written.
/// In an answer, <paramref name="Thought"/> true marks what the model made while thinking (an interim image: a draft).
/// </summary>
internal sealed record Part(string? Text = null, InlineData? InlineData = null, FileData? FileData = null, bool? Thought = null);

/// <summary>An input Google fetches itself (Gemini__InputsByUrl): a signed URL and its type.</summary>
internal sealed record FileData(string? MimeType, string FileUri);

/// <summary>Base64 on the wire, decoded straight into the image's bytes (<see cref="Base64BytesConverter"/>).</summary>
internal sealed record InlineData(string? MimeType, [property: JsonConverter(typeof(Base64BytesConverter))] byte[]? Data);

internal sealed record GenerationConfig(IReadOnlyList<string> ResponseModalities, ImageConfig? ImageConfig, ThinkingConfig? ThinkingConfig = null);

/// <summary>includeThoughts: the answer carries the thinking's parts too, flagged thought (Gemini 3 image models: interim images).</summary>
internal sealed record ThinkingConfig(bool? IncludeThoughts);

internal sealed record ImageConfig(string? AspectRatio, string? ImageSize);
