using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// What infra/ grants and exposes, read from the evaluated deployment (<see cref="DeploymentSnapshot"/>):
/// the app reads only the secrets its settings reference, never the database administrator's password;
/// production keeps the database, storage and Key Vault off the public internet; deletes can be undone.
/// </summary>
public sealed partial class DeploymentSecurityTests
{
    private const string SecretsUserRole = "4633458b-17de-408a-b874-0445c86b69e6";

    private static readonly Lazy<Task<DeploymentSnapshot>> Production = new(() => DeploymentSnapshot.EvaluateAsync());
    private static readonly Lazy<Task<DeploymentSnapshot>> Development = new(() => DeploymentSnapshot.EvaluateAsync("environmentType = 'development'"));
    private static readonly Lazy<Task<DeploymentSnapshot>> Entra = new(() =>
        DeploymentSnapshot.EvaluateAsync("postgresEntraAuthentication = 'true'", "postgresEntraAdminName = 'deployer@example.com'"));

    [Fact]
    public async Task TheApp_ReadsOnlyTheSecretsItsSettingsReference_EachByItsOwnRoleAssignment()
    {
        // Arrange
        var deployment = await Production.Value;
        var referenced = KeyVaultReferences(deployment.Single("Microsoft.Web/sites"));

        // Act
        var appGrants = deployment.OfType("Microsoft.Authorization/roleAssignments").Where(IsForTheApp).ToList();
        var secretGrants = appGrants.Where(r => ((string)r["properties"]!["roleDefinitionId"]!).EndsWith(SecretsUserRole, StringComparison.Ordinal)).ToList();

        // Assert: no grant on the vault as a whole, one per referenced secret, and nothing else in the vault.
        Assert.DoesNotContain(appGrants, r => Scope(r).EndsWith("/providers/Microsoft.KeyVault/vaults/" + VaultName(deployment), StringComparison.Ordinal));
        Assert.Equal(referenced.Order(StringComparer.Ordinal), secretGrants.Select(SecretOfScope).Order(StringComparer.Ordinal));
        Assert.Contains("postgres-connection-string", referenced);
        Assert.DoesNotContain(appGrants, r => Scope(r).Contains("/secrets/postgres-admin-password", StringComparison.Ordinal));
        Assert.DoesNotContain(appGrants, r => Scope(r).Contains("/secrets/postgres-app-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Production_PutsTheAppInAVirtualNetwork_WithPrivateEndpointsForPostgresStorageAndKeyVault()
    {
        var deployment = await Production.Value;

        var site = deployment.Single("Microsoft.Web/sites");
        var endpoints = deployment.OfType("Microsoft.Network/privateEndpoints")
            .Select(e => (string)e["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["groupIds"]![0]!).ToList();

        // The subnet's id is known only once the network exists: the snapshot keeps it as a reference to it.
        Assert.Contains("Microsoft.Network/virtualNetworks/vnet-", (string?)site["properties"]!["virtualNetworkSubnetId"] ?? "", StringComparison.Ordinal);
        Assert.Equal(["blob", "postgresqlServer", "queue", "vault"], endpoints.Order(StringComparer.Ordinal));
        Assert.Equal(4, deployment.OfType("Microsoft.Network/privateDnsZones").Count);
        Assert.Equal(4, deployment.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").Count);
    }

    [Fact]
    public async Task Production_OpensNoPublicDoor_NoAllAzureRule_StorageAndVaultDenyByDefault()
    {
        var deployment = await Production.Value;

        Assert.Empty(deployment.OfType("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"));
        Assert.Equal("Deny", (string?)deployment.Single("Microsoft.Storage/storageAccounts")["properties"]!["networkAcls"]!["defaultAction"]);
        Assert.Equal("Deny", (string?)deployment.Single("Microsoft.KeyVault/vaults")["properties"]!["networkAcls"]!["defaultAction"]);
    }

    [Fact]
    public async Task Development_StaysPublic_WithTheAzureServicesRule_AndNoNetwork()
    {
        var deployment = await Development.Value;

        var rule = deployment.Single("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules");

        Assert.Equal("0.0.0.0", (string?)rule["properties"]!["startIpAddress"]);
        Assert.Empty(deployment.OfType("Microsoft.Network/privateEndpoints"));
        Assert.Empty(deployment.OfType("Microsoft.Network/virtualNetworks"));
        Assert.Null(deployment.Single("Microsoft.Web/sites")["properties"]!["virtualNetworkSubnetId"]);
    }

    [Theory]
    [InlineData("production")]
    [InlineData("development")]
    public async Task DeletesCanBeUndone_KeyVaultPurgeProtection_BlobSoftDelete(string environment)
    {
        var deployment = await (environment == "production" ? Production : Development).Value;

        var vault = deployment.Single("Microsoft.KeyVault/vaults")["properties"]!;
        var blobs = deployment.Single("Microsoft.Storage/storageAccounts/blobServices")["properties"]!;

        Assert.True((bool?)vault["enablePurgeProtection"]);
        Assert.True((bool?)vault["enableSoftDelete"]);
        Assert.True((bool?)blobs["deleteRetentionPolicy"]!["enabled"]);
        Assert.True((int?)blobs["deleteRetentionPolicy"]!["days"] >= 1);
        Assert.True((bool?)blobs["containerDeleteRetentionPolicy"]!["enabled"]);
    }

    [Fact]
    public async Task TheFlexPlan_HttpConcurrencyPerInstance_IsSetExplicitly()
    {
        var deployment = await Production.Value;

        var scale = deployment.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;

        Assert.Equal(32, (int?)scale["triggers"]?["http"]?["perInstanceConcurrency"]);
    }

    [Fact]
    public async Task WithEntraAuthentication_TheAppSignsInWithItsIdentity_AndItsConnectionStringsHoldNoPassword()
    {
        var deployment = await Entra.Value;

        var server = deployment.Single("Microsoft.DBforPostgreSQL/flexibleServers");
        var administrator = deployment.Single("Microsoft.DBforPostgreSQL/flexibleServers/administrators");
        var connectionStrings = ConnectionStringSecrets(deployment);
        var settings = deployment.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray();

        Assert.Equal("Enabled", (string?)server["properties"]!["authConfig"]!["activeDirectoryAuth"]);
        Assert.EndsWith("/00000000-0000-0000-0000-00000000d00d", (string)administrator["name"]!, StringComparison.Ordinal);
        Assert.Equal("deployer@example.com", (string?)administrator["properties"]!["principalName"]);
        Assert.Equal(2, connectionStrings.Count);
        Assert.All(connectionStrings, value =>
        {
            Assert.DoesNotContain("postgresAppPassword", value, StringComparison.Ordinal);
            Assert.Contains("'nanobanana_app_entra', ''", value, StringComparison.Ordinal);
        });
        Assert.Contains(settings, s => (string?)s!["name"] == "Postgres__EntraAuthentication" && (string?)s["value"] == "true");
    }

    [Fact]
    public async Task ByDefault_TheAppSignsInWithItsPasswordLogin_AndTheServerHasNoEntraAdministrator()
    {
        var deployment = await Production.Value;

        var server = deployment.Single("Microsoft.DBforPostgreSQL/flexibleServers");

        Assert.Equal("Disabled", (string?)server["properties"]!["authConfig"]!["activeDirectoryAuth"]);
        Assert.Empty(deployment.OfType("Microsoft.DBforPostgreSQL/flexibleServers/administrators"));
        Assert.All(ConnectionStringSecrets(deployment), value => Assert.Contains("postgresAppPassword", value, StringComparison.Ordinal));
    }

    private static List<string> ConnectionStringSecrets(DeploymentSnapshot deployment) =>
        deployment.OfType("Microsoft.KeyVault/vaults/secrets").Where(s => ((string)s["name"]!).EndsWith("connection-string", StringComparison.Ordinal))
            .Select(s => (string)s["properties"]!["value"]!).ToList();

    private static bool IsForTheApp(JsonObject assignment) =>
        assignment["properties"]!["principalId"]!.ToString().Contains("Microsoft.Web/sites", StringComparison.Ordinal);

    /// <summary>The resource a role assignment is scoped to: its id up to /providers/Microsoft.Authorization.</summary>
    private static string Scope(JsonObject assignment)
    {
        var id = (string)assignment["id"]!;
        return id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
    }

    private static string SecretOfScope(JsonObject assignment)
    {
        var match = SecretScope().Match(Scope(assignment));
        Assert.True(match.Success, $"A Key Vault Secrets User grant not on one secret: {Scope(assignment)}");
        return match.Groups["secret"].Value;
    }

    private static string VaultName(DeploymentSnapshot deployment) => (string)deployment.Single("Microsoft.KeyVault/vaults")["name"]!;

    private static HashSet<string> KeyVaultReferences(JsonObject site) =>
        site["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .Select(s => SettingSecret().Match(s!["value"]!.ToString())).Where(m => m.Success)
            .Select(m => m.Groups["secret"].Value).ToHashSet();

    [GeneratedRegex(@"/providers/Microsoft\.KeyVault/vaults/[^/]+/secrets/(?<secret>[A-Za-z0-9-]+)$")]
    private static partial Regex SecretScope();

    // The settings' Key Vault references, as the snapshot leaves them: format('@Microsoft.KeyVault(SecretUri={0}secrets/{1}/)', <vault uri>, 'name').
    [GeneratedRegex(@"@Microsoft\.KeyVault\(SecretUri=\{0\}secrets/\{1\}/\)', .*, '(?<secret>[a-z0-9-]+)'\)\]$")]
    private static partial Regex SettingSecret();
}
