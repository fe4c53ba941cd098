using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.Configuration;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace NanoBanana.Functions.Auth;

/// <summary>
/// Logs every read of the identity provider's signing keys, with the key ids it found, so a key
/// rotation (and the one 401 it may cost a caller) can be followed in the logs. IdentityModel calls
/// it once the keys read are the ones in force.
/// </summary>
internal sealed class SigningKeysReadLog(ILogger logger) : IConfigurationEventHandler<OpenIdConnectConfiguration>
{
    public Task<ConfigurationEventHandlerResult<OpenIdConnectConfiguration>> BeforeRetrieveAsync(string metadataAddress, CancellationToken cancellationToken = default) =>
        Task.FromResult(ConfigurationEventHandlerResult<OpenIdConnectConfiguration>.NoResult);

    public Task AfterUpdateAsync(string metadataAddress, OpenIdConnectConfiguration configuration, CancellationToken cancellationToken = default)
    {
        logger.LogInformation("Signing keys read from {KeySource}: {KeyIds}", metadataAddress,
            string.Join(", ", configuration.SigningKeys.Select(key => key.KeyId ?? "(no kid)")));
        return Task.CompletedTask;
    }
}
