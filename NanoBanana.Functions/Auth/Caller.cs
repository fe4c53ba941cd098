namespace NanoBanana.Functions.Auth;

/// <summary>Who is calling: the user id from a validated token's <c>sub</c>, never from the body or query.</summary>
public sealed record Caller(string UserId);
