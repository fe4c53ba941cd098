using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Auth;

/// <summary>
/// Remembers bearer tokens that validated until they expire, so a phone polling every few seconds
/// with the same token pays for one signature check, not one per poll. In front of
/// <see cref="JwtCallerAuthenticator"/>, which still sees every token the first time and every token
/// it rejects (only successes are remembered, until the exp it found: <see cref="Caller.ExpiresAt"/>). Keyed by the
/// SHA-256 of the Authorization header, never the token; bounded
/// (<see cref="AuthOptions.TokenCacheEntries"/>: past it, new tokens are validated but not remembered
/// until the cache has shed expired and least recently used entries).
/// </summary>
/// <remarks>
/// A remembered token is accepted until its own exp, and at most <see cref="MaxRemembered"/> after it was
/// validated, whatever its exp says: a long-lived token is checked again (issuer, key, audience) every few
/// minutes, so a withdrawn signing key or a changed setting takes effect within that time.
/// </remarks>
public sealed class ValidatedTokenCache(ICallerAuthenticator tokens, IOptions<AuthOptions> options, TimeProvider clock) : ICallerAuthenticator, IDisposable
{
    // Longer headers are validated every time rather than hashed on the stack.
    private const int MaxCachedTokenBytes = 8 * 1024;

    /// <summary>The longest a validated token is remembered, whatever its exp.</summary>
    public static readonly TimeSpan MaxRemembered = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = options.Value.TokenCacheEntries });

    public async Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var key = KeyOf(request.Headers.Authorization.ToString());
        if (key is not null && _validated.TryGetValue(key, out Remembered? known) && known!.Until > clock.GetUtcNow())
        {
            return known.Caller;
        }

        var caller = await tokens.AuthenticateAsync(request, ct);
        var now = clock.GetUtcNow();
        var lifetime = caller.ExpiresAt - now;
        if (lifetime > MaxRemembered)
        {
            lifetime = MaxRemembered;
        }

        if (key is not null && lifetime > TimeSpan.Zero)
        {
            _validated.Set(key, new Remembered(caller, now + lifetime), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        }

        return caller;
    }

    public void Dispose() => _validated.Dispose();

    // Until is judged by the app's clock; the cache's own expiry (the system clock) only frees the memory.
    private sealed record Remembered(Caller Caller, DateTimeOffset Until);

    // The whole Authorization header is hashed, read in place: two headers hash alike only if they carry
    // the same token, and the validator, which sees the header itself, decides what a token is.
    private string? KeyOf(string authorization)
    {
        // The exact byte count, not the worst case (3 bytes a character), which would refuse any header
        // over about 2,700 characters: Entra tokens with groups or roles are longer than that.
        var length = options.Value.TokenCacheEntries == 0 ? 0 : Encoding.UTF8.GetByteCount(authorization);
        if (length is 0 or > MaxCachedTokenBytes)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[length];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(authorization, utf8)], hash);
        return Convert.ToBase64String(hash);
    }
}
