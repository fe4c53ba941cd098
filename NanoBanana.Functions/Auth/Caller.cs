namespace NanoBanana.Functions.Auth;

/// <summary>Who is calling: the user id from a validated token's <c>sub</c>, never from the body or query.</summary>
public sealed record Caller(string UserId)
{
    /// <summary>Until when the credential that proved it holds (a token's exp); the past when the proof is per request.</summary>
    public DateTimeOffset ExpiresAt { get; init; } = DateTimeOffset.MinValue;
}
