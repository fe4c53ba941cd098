using System.Text.Json.Nodes;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// What infra/main.bicep deploys for the liveness alerts (issue 21) and for Web Push, evaluated whole by
/// `bicep snapshot`: the rules with their thresholds in their queries, and push's settings, secret and grant.
/// </summary>
public sealed class LivenessAlertsAndPushTemplateTests
{
    private static readonly string VapidPublicKey = TestVapidKeys.Create().PublicKey;

    private static readonly Lazy<Task<DeploymentSnapshot>> WithPush = new(() => DeploymentSnapshot.EvaluateAsync(
        $"pushVapidPublicKey = '{VapidPublicKey}'",
        "pushVapidPrivateKey = 'private-key-for-the-snapshot'",
        "pushVapidSubject = 'mailto:ops@example.com'",
        "pushNotificationUrl = 'https://app.example.com/'",
        "livenessDownMinutes = 7",
        "abandonedClaims = 12"));

    [Fact]
    public async Task TheLivenessAlerts_QueryTheSessionGaugePerInstance_AndTheAbandonedClaimsCount_WithTheirThresholds()
    {
        // Arrange
        var deployment = await WithPush.Value;

        // Act
        var down = Rule(deployment, "liveness-session-down");
        var abandoned = Rule(deployment, "abandoned-claims");

        // Assert: 0 for the whole of the last 7 minutes, on any one instance; more than 12 hand-backs in 15 minutes.
        var downQuery = Query(down);
        Assert.Contains("name == \"nanobanana.liveness.session_up\"", downQuery, StringComparison.Ordinal);
        Assert.Contains("ago(7m)", downQuery, StringComparison.Ordinal);
        Assert.Contains("by instance = cloud_RoleInstance", downQuery, StringComparison.Ordinal);
        Assert.Contains("where up == 0 and covered >= 7m - 2m", downQuery, StringComparison.Ordinal);
        Assert.Equal("PT30M", (string?)down["properties"]!["windowSize"]);
        var abandonedQuery = Query(abandoned);
        Assert.Contains("name == \"nanobanana.liveness.abandoned_claims\"", abandonedQuery, StringComparison.Ordinal);
        Assert.Contains("where claims > 12", abandonedQuery, StringComparison.Ordinal);
        Assert.Equal("PT15M", (string?)abandoned["properties"]!["windowSize"]);
        Assert.DoesNotContain("THRESHOLD", downQuery + abandonedQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAVapidKey_TheAppGetsPushSettings_TheNotificationUrl_AndReadsOnlyItsVapidSecret()
    {
        // Arrange
        var deployment = await WithPush.Value;

        // Act
        var settings = deployment.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => s!["value"]?.ToString());
        var secrets = deployment.OfType("Microsoft.KeyVault/vaults/secrets").Select(s => (string)s["name"]!).ToList();
        var grants = deployment.OfType("Microsoft.Authorization/roleAssignments").Select(r => (string?)r["id"] ?? "").ToList();

        // Assert
        Assert.Equal("https://app.example.com/", settings["Push__NotificationUrl"]);
        Assert.Equal(VapidPublicKey, settings["Push__VapidPublicKey"]);
        // A Key Vault reference (still an ARM format() here: the vault's URI is known only once deployed).
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["Push__VapidPrivateKey"], StringComparison.Ordinal);
        Assert.Contains("'vapid-private-key'", settings["Push__VapidPrivateKey"], StringComparison.Ordinal);
        Assert.Contains(secrets, name => name.EndsWith("/vapid-private-key", StringComparison.Ordinal));
        Assert.Contains(grants, id => id.Contains("/secrets/vapid-private-key/", StringComparison.Ordinal));
    }

    private static JsonObject Rule(DeploymentSnapshot deployment, string name) =>
        Assert.Single(deployment.OfType("Microsoft.Insights/scheduledQueryRules"), r => ((string)r["name"]!).StartsWith($"nanobanana-{name}-", StringComparison.Ordinal));

    private static string Query(JsonObject rule) => (string)rule["properties"]!["criteria"]!["allOf"]![0]!["query"]!;
}
