namespace NanoBanana.Functions.Http;

/// <summary>
/// A request that cannot be served as asked. Thrown anywhere below a function; the exception
/// middleware turns it into problem+json with <see cref="Code"/>, so functions stay free of try/catch.
/// </summary>
public sealed class ApiProblemException(int status, string code, string title, string? detail = null)
    : Exception(detail ?? title)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    /// <summary>Every field that failed validation, when there were several.</summary>
    public IReadOnlyList<FieldError> Errors { get; init; } = [];

    /// <summary>Response headers that belong with the problem (WWW-Authenticate, Retry-After).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>One invalid field: its JSON path, a stable code and a sentence saying what to send instead.</summary>
public sealed record FieldError(string Field, string Code, string Message)
{
    /// <summary>What the field may be, when that is a short list (the chosen model's ratios, sizes, types; the offered models).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Allowed { get; init; }
}
