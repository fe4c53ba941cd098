using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Gemini.Wire;

/// <summary>Google's error envelope: {"error": {code, message, status, details: [...]}}.</summary>
internal sealed record ErrorResponse(ErrorStatus? Error);

internal sealed record ErrorStatus(int? Code, string? Message, string? Status, IReadOnlyList<ErrorDetail>? Details);

/// <summary>
/// One google.rpc detail. Only the fields we act on are typed: RetryInfo.retryDelay,
/// QuotaFailure.violations[].quotaId and ErrorInfo.reason.
/// </summary>
internal sealed record ErrorDetail(
    [property: JsonPropertyName("@type")] string? Type,
    string? RetryDelay,
    string? Reason,
    IReadOnlyList<QuotaViolation>? Violations);

internal sealed record QuotaViolation(string? QuotaId);
