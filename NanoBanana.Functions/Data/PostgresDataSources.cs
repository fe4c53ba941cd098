using Azure.Core;
using Azure.Identity;
using Npgsql;

namespace NanoBanana.Functions.Data;

/// <summary>
/// Builds the app's Npgsql data sources (the pooled one, the LISTEN session's) from a connection
/// string, signing in the way <see cref="PostgresOptions.EntraAuthentication"/> says: the password in
/// the connection string, or an Entra ID access token of the app's managed identity, asked for again
/// before it expires (tokens last about an hour; Npgsql uses the latest for each new connection).
/// </summary>
public sealed class PostgresDataSources(PostgresOptions options, TokenCredential? entraCredential = null)
{
    /// <summary>The token audience of Azure Database for PostgreSQL.</summary>
    public const string EntraScope = "https://ossrdbms-aad.database.windows.net/.default";

    private static readonly TimeSpan TokenRefresh = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan TokenRetry = TimeSpan.FromSeconds(10);

    private readonly TokenCredential? _credential = options.EntraAuthentication
        ? entraCredential ?? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
        : null;

    public NpgsqlDataSource Build(string connectionString, Action<NpgsqlConnectionStringBuilder>? adjust = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        adjust?.Invoke(builder.ConnectionStringBuilder);
        if (_credential is { } credential)
        {
            builder.UsePeriodicPasswordProvider(
                async (_, ct) => (await credential.GetTokenAsync(new TokenRequestContext([EntraScope]), ct)).Token,
                TokenRefresh,
                TokenRetry);
        }

        return builder.Build();
    }
}
