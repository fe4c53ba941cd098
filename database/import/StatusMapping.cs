using System.Reflection;
using System.Text.RegularExpressions;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Import;

/// <summary>What an original generation becomes: carried over with a status (and error), or left where it is.</summary>
internal abstract record Decision;

internal sealed record Carry(GenerationStatus Status, GenerationError? Error) : Decision;

internal sealed record Skip(string Reason) : Decision;

/// <summary>
/// The original's statuses in NanoBanana's terms. It had processing, completed and failed only;
/// a row processing for over an hour was lost with its process (the original's own "stuck").
/// </summary>
internal static partial class StatusMapping
{
    public static readonly TimeSpan StuckAfter = TimeSpan.FromHours(1);

    /// <summary>A failure whose reason the original recorded only as text (kept as the message).</summary>
    public const string ImportedFailure = "IMPORTED_FAILURE";

    public const string StillProcessing = "still processing in the original system (import again once it has finished)";

    private static readonly IReadOnlySet<string> GeminiCodes = typeof(GeminiFailureCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();

    public static Decision Decide(OriginalGeneration row, DateTimeOffset now) => row.Status switch
    {
        _ when string.IsNullOrWhiteSpace(row.Prompt) => new Skip("no prompt"),
        "completed" => new Carry(GenerationStatus.Completed, null),
        "failed" => new Carry(GenerationStatus.Failed, FailedError(row.ErrorMessage)),
        "processing" when now - (row.StartedAt ?? row.CreatedAt) > StuckAfter => new Carry(GenerationStatus.Failed,
            new GenerationError(GenerationErrorCodes.Stuck, "Processing was interrupted in the original system; giving up. Try again.", Retryable: true)),
        "processing" => new Skip(StillProcessing),
        var other => new Skip($"status '{other}' is not one the original system had"),
    };

    /// <summary>A completed generation whose result image the original no longer has.</summary>
    public static GenerationError NoImage() =>
        new(GeminiFailureCodes.NoImage, "The original system kept no image for this generation. Try again.", Retryable: true);

    // The original wrote Gemini's finish reason into its message (e.g. "IMAGE_SAFETY"): keep it as the code.
    private static GenerationError FailedError(string? message)
    {
        var text = string.IsNullOrWhiteSpace(message) ? "Failed in the original system." : message.Trim();
        var code = UpperCaseWords().Matches(text).Select(m => m.Value).FirstOrDefault(GeminiCodes.Contains);
        return code is null
            ? new GenerationError(ImportedFailure, text, Retryable: true)
            : new GenerationError(code, text, new GeminiFailure(code, text, Transient: false).UserMayRetry);
    }

    [GeneratedRegex(@"\b[A-Z][A-Z_]{2,}\b")]
    private static partial Regex UpperCaseWords();
}
