namespace NanoBanana.Functions.Gemini.Wire;

// The generateContent response. Enum-like values (finishReason, blockReason) stay strings, so a
// value Google adds tomorrow is reported, not a parse failure.

internal sealed record GenerateContentResponse(
    IReadOnlyList<Candidate>? Candidates,
    PromptFeedback? PromptFeedback,
    UsageMetadata? UsageMetadata,
    string? ModelVersion,
    string? ResponseId);

internal sealed record Candidate(Content? Content, string? FinishReason, string? FinishMessage, int? Index);

internal sealed record PromptFeedback(string? BlockReason, string? BlockReasonMessage);

internal sealed record UsageMetadata(int? PromptTokenCount, int? CandidatesTokenCount, int? TotalTokenCount);
