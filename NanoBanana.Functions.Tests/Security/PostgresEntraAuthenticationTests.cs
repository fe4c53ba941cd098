using System.Collections.Concurrent;
using Azure.Core;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>
/// Postgres__EntraAuthentication: the app signs in with an Entra ID access token as the password,
/// asked of its identity for Azure Database for PostgreSQL's audience. Against the real server, with
/// a login whose password is the token the stand-in credential hands out (Entra is not reachable here).
/// </summary>
public sealed class PostgresEntraAuthenticationTests
{
    private const string Login = "nanobanana_entra_test";
    private const string Token = "eyJ0eXAiOiJKV1QifQ.entra-access-token-for-postgres.signature";

    [Fact]
    public async Task TheToken_IsThePassword_AskedForPostgresAudience()
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        var credential = new StandInCredential(Token);
        var connectionString = await LoginWithoutPasswordAsync(db);

        // Act
        await using var dataSource = new PostgresDataSources(new PostgresOptions { EntraAuthentication = true }, credential).Build(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var whoami = new NpgsqlCommand("SELECT session_user", connection);

        // Assert
        Assert.Equal(Login, await whoami.ExecuteScalarAsync());
        Assert.Equal([PostgresDataSources.EntraScope], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task AnotherToken_IsRefused_SoTheTokenIsWhatIsSent()
    {
        await using var db = await TestDatabase.CreateAsync();
        var connectionString = await LoginWithoutPasswordAsync(db);

        await using var dataSource = new PostgresDataSources(new PostgresOptions { EntraAuthentication = true }, new StandInCredential("some-other-token")).Build(connectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(async () => await dataSource.OpenConnectionAsync());

        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [Fact]
    public async Task WithoutIt_TheConnectionStringsPasswordIsUsed_AndNoTokenAskedFor()
    {
        await using var db = await TestDatabase.CreateAsync();
        var credential = new StandInCredential(Token);

        await using var dataSource = new PostgresDataSources(new PostgresOptions(), credential).Build(db.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();

        Assert.Empty(credential.Scopes);
    }

    /// <summary>A login whose password is the token (as Entra's would be checked), and a connection string naming it without one.</summary>
    private static async Task<string> LoginWithoutPasswordAsync(TestDatabase db)
    {
        var login = await ProcessRunner.RunScriptAsync(["database", "create-login.sh"], [TestDatabase.UrlOf(db.ConnectionString), Login],
            new Dictionary<string, string?> { ["NANOBANANA_APP_PASSWORD"] = Token });
        Assert.True(login.ExitCode == 0, login.ToString());
        return new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Login, Password = null }.ConnectionString;
    }

    private sealed class StandInCredential(string token) : TokenCredential
    {
        public ConcurrentQueue<string> Scopes { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                Scopes.Enqueue(scope);
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
