using NanoBanana.Functions.Gemini.Wire;
using NanoBanana.Functions.Generations;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Reads a <c>streamGenerateContent?alt=sse</c> answer: each <c>data:</c> line is one
/// GenerateContentResponse chunk (read by <see cref="SseJson"/> in pooled segments, as a whole answer
/// is). An image part flagged <c>thought</c> is an interim image of the model's thinking and goes to
/// <paramref name="onDraft"/> as it arrives; every other part is kept, and
/// the chunks are folded into one response that <see cref="GeminiResponseClassifier"/> reads as it
/// reads a generateContent answer (so a streamed call ends in the same outcomes, and without thought
/// images nothing differs). A body cut mid-stream surfaces as the IOException a cut body always does.
/// </summary>
internal static class GeminiStream
{
    public static async Task<GenerateContentResponse> ReadAsync(Stream body, Func<GeminiImage, Task> onDraft, CancellationToken ct)
    {
        var parts = new List<Part>();
        PromptFeedback? feedback = null;
        UsageMetadata? usage = null;
        string? modelVersion = null, responseId = null, finishReason = null, finishMessage = null;
        var sawCandidate = false;

        await foreach (var item in SseJson.ReadAsync<GenerateContentResponse>(body, GeminiJson.Options, ct))
        {
            if (item is not { } chunk)
            {
                continue;
            }

            feedback = chunk.PromptFeedback?.BlockReason is { Length: > 0 } ? chunk.PromptFeedback : feedback;
            usage = chunk.UsageMetadata ?? usage;
            modelVersion = chunk.ModelVersion ?? modelVersion;
            responseId = chunk.ResponseId ?? responseId;
            if (chunk.Candidates is not { Count: > 0 } candidates)
            {
                continue;
            }

            sawCandidate = true;
            finishReason = candidates[0].FinishReason ?? finishReason;
            finishMessage = candidates[0].FinishMessage ?? finishMessage;
            foreach (var part in candidates[0].Content?.Parts ?? [])
            {
                if (part.Thought != true)
                {
                    parts.Add(part);
                }
                else if (part.InlineData?.Data is { Length: > 0 } data && ImageSniffer.Detect(data) is { } type)
                {
                    // Only what the result would accept (PNG, JPEG, WebP, HEIC): a draft is served like a result.
                    await onDraft(new GeminiImage(type, data));
                }
            }
        }

        return new GenerateContentResponse(
            sawCandidate ? [new Candidate(new Content("model", parts), finishReason, finishMessage, 0)] : [],
            feedback, usage, modelVersion, responseId);
    }
}
