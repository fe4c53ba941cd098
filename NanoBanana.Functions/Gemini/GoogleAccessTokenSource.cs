using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Gemini;

/// <summary>OAuth access tokens for Vertex AI.</summary>
public interface IGoogleAccessTokenSource
{
    Task<string> GetAccessTokenAsync(CancellationToken ct);
}

/// <summary>
/// Google.Apis.Auth credentials (<see cref="VertexCredentials"/>), scoped to cloud-platform. The
/// library caches tokens and refreshes them before they expire.
/// </summary>
internal sealed class GoogleAccessTokenSource(IOptions<GeminiOptions> options) : IGoogleAccessTokenSource, IDisposable
{
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _credential;

    public async Task<string> GetAccessTokenAsync(CancellationToken ct)
    {
        var credential = _credential ?? await CreateCredentialAsync(ct);
        return await credential.GetAccessTokenForRequestAsync(cancellationToken: ct);
    }

    private async Task<ITokenAccess> CreateCredentialAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_credential is null)
            {
                _credential = (await VertexCredentials.CreateAsync(options.Value, ct)).CreateScoped(CloudPlatformScope);
            }

            return _credential;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
