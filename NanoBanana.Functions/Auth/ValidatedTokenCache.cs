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
/// A remembered token is accepted until its own exp, as any validated JWT is: a signing key the
/// provider withdraws stops new tokens at once and the tokens it signed at their exp.
/// </remarks>
public sealed class ValidatedTokenCache(ICallerAuthenticator tokens, IOptions<AuthOptions> options, TimeProvider clock) : ICallerAuthenticator, IDisposable
{
    // Longer headers are validated every time rather than hashed on the stack.
    private const int MaxCachedTokenBytes = 8 * 1024;

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = options.Value.TokenCacheEntries });

    public async Task<Caller> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var key = KeyOf(request.Headers.Authorization.ToString());
        if (key is not null && _validated.TryGetValue(key, out Caller? known) && known!.ExpiresAt > clock.GetUtcNow())
        {
            return known;
        }

        var caller = await tokens.AuthenticateAsync(request, ct);
        var lifetime = caller.ExpiresAt - clock.GetUtcNow();
        if (key is not null && lifetime > TimeSpan.Zero)
        {
            _validated.Set(key, caller, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        }

        return caller;
    }

    public void Dispose() => _validated.Dispose();

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
