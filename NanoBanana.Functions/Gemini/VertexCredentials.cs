using Azure.Core;
using Azure.Identity;
using Google.Apis.Auth.OAuth2;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// Which Google credential calls Vertex AI: workload identity federation from this app's Azure
/// managed identity (no Google key anywhere), a service-account key given as JSON or as a file, or
/// else Application Default Credentials.
/// </summary>
internal static class VertexCredentials
{
    public const string GoogleStsUrl = "https://sts.googleapis.com/v1/token";

    private const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    public static async Task<GoogleCredential> CreateAsync(GeminiOptions options, CancellationToken ct) => options switch
    {
        { VertexWorkloadIdentityProvider: { Length: > 0 } provider } =>
            FromAzureManagedIdentity(provider, options, new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)),
        { VertexCredentialsJson: { Length: > 0 } json } => CredentialFactory.FromJson<ServiceAccountCredential>(json).ToGoogleCredential(),
        { VertexCredentialsFile: { Length: > 0 } file } => (await CredentialFactory.FromFileAsync<ServiceAccountCredential>(file, ct)).ToGoogleCredential(),
        _ => await GoogleCredential.GetApplicationDefaultAsync(ct),
    };

    /// <summary>Google STS exchanges the identity's Entra token for a Google one (then, optionally, impersonates a service account).</summary>
    internal static GoogleCredential FromAzureManagedIdentity(string provider, GeminiOptions options, TokenCredential azure, string stsUrl = GoogleStsUrl)
    {
        var initializer = new ProgrammaticExternalAccountCredential.Initializer(
            stsUrl, provider, JwtTokenType, new EntraSubjectTokens(azure, options.VertexAzureAppIdUri.TrimEnd('/') + "/.default"));
        if (!string.IsNullOrWhiteSpace(options.VertexServiceAccountEmail))
        {
            initializer.ServiceAccountImpersonationUrl =
                $"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{options.VertexServiceAccountEmail}:generateAccessToken";
        }

        return new ProgrammaticExternalAccountCredential(initializer).ToGoogleCredential();
    }

    private sealed class EntraSubjectTokens(TokenCredential azure, string scope) : ProgrammaticExternalAccountCredential.ISubjectTokenProvider
    {
        public async Task<string> GetSubjectTokenAsync(ProgrammaticExternalAccountCredential caller, CancellationToken taskCancellationToken) =>
            (await azure.GetTokenAsync(new TokenRequestContext([scope]), taskCancellationToken)).Token;
    }
}
