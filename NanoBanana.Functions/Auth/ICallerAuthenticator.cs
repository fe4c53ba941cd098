using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Auth;

/// <summary>
/// Establishes the caller of an HTTP request, or throws a 401 problem. The one seam through which
/// identity enters the API: functions ask it, and no endpoint reads a user id from anywhere else.
/// </summary>
public interface ICallerAuthenticator
{
    Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct);
}
