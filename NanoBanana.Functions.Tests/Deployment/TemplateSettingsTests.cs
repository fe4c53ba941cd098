using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// What infra/ sets on the function app, for each auth mode and Gemini backend, is what the app needs
/// to start: evaluated by Bicep itself (`bicep build-params` on infra/app/app-settings.bicep, the
/// function the site's settings come from), then checked against the options classes and started
/// with the app's own validation, as Azure would start it.
/// </summary>
public sealed partial class TemplateSettingsTests
{
    private const string VaultUri = "https://kv-test.vault.azure.net/";

    // One VAPID pair: the public key goes into the template's input, the private one is what Key Vault holds.
    private static readonly (string PublicKey, string PrivateKey) Vapid = TestVapidKeys.Create();

    private const string NotificationUrl = "https://app.example.com/";

    // One deployment per auth mode, the Gemini backends and credentials spread across them.
    private static readonly Dictionary<string, string> Deployments = new()
    {
        ["supabaseDeveloper"] = Input(
            "{ mode: 'SupabaseHs256', issuer: 'https://project.supabase.co/auth/v1', audience: 'authenticated', authority: '', jwksUri: '' }",
            "{ backend: 'Developer', model: 'gemini-3.1-flash-image', hasServerKey: true, vertexProjectId: '', vertexLocation: 'global', vertexCredentials: 'ServiceAccountKey', workloadIdentityProvider: '', azureAppIdUri: '', serviceAccountEmail: '' }"),
        ["oidcPersonalKeysOnly"] = Input(
            "{ mode: 'Oidc', issuer: 'https://login.example.com/', audience: 'api://nanobanana', authority: 'https://login.example.com/', jwksUri: '' }",
            "{ backend: 'Developer', model: 'gemini-3.1-flash-image', hasServerKey: false, vertexProjectId: '', vertexLocation: 'global', vertexCredentials: 'ServiceAccountKey', workloadIdentityProvider: '', azureAppIdUri: '', serviceAccountEmail: '' }"),
        ["jwksVertexServiceAccount"] = Input(
            "{ mode: 'Jwks', issuer: 'https://project.supabase.co/auth/v1', audience: 'authenticated', authority: '', jwksUri: 'https://project.supabase.co/auth/v1/.well-known/jwks.json' }",
            "{ backend: 'Vertex', model: 'gemini-3.1-flash-image', hasServerKey: false, vertexProjectId: 'banana-project', vertexLocation: 'europe-west4', vertexCredentials: 'ServiceAccountKey', workloadIdentityProvider: '', azureAppIdUri: '', serviceAccountEmail: '' }"),
        ["oidcEntraPostgres"] = Input(
            "{ mode: 'Oidc', issuer: 'https://login.example.com/', audience: 'api://nanobanana', authority: 'https://login.example.com/', jwksUri: '' }",
            "{ backend: 'Developer', model: 'gemini-3.1-flash-image', hasServerKey: true, vertexProjectId: '', vertexLocation: 'global', vertexCredentials: 'ServiceAccountKey', workloadIdentityProvider: '', azureAppIdUri: '', serviceAccountEmail: '' }",
            postgresEntraAuthentication: true),
        ["supabaseDeveloperWithPush"] = Input(
            "{ mode: 'SupabaseHs256', issuer: 'https://project.supabase.co/auth/v1', audience: 'authenticated', authority: '', jwksUri: '' }",
            "{ backend: 'Developer', model: 'gemini-3.1-flash-image', hasServerKey: true, vertexProjectId: '', vertexLocation: 'global', vertexCredentials: 'ServiceAccountKey', workloadIdentityProvider: '', azureAppIdUri: '', serviceAccountEmail: '' }",
            push: $"{{ vapidSubject: 'mailto:ops@example.com', vapidPublicKey: '{Vapid.PublicKey}', notificationUrl: '{NotificationUrl}' }}"),
        ["easyAuthVertexWorkloadIdentity"] = Input(
            "{ mode: 'AppServiceAuth', issuer: '', audience: '', authority: '', jwksUri: '' }",
            "{ backend: 'Vertex', model: 'gemini-3.1-flash-image', hasServerKey: false, vertexProjectId: 'banana-project', vertexLocation: 'global', vertexCredentials: 'WorkloadIdentity', workloadIdentityProvider: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/azure/providers/nanobanana', azureAppIdUri: 'api://AzureADTokenExchange', serviceAccountEmail: 'nanobanana@banana-project.iam.gserviceaccount.com' }"),
    };

    private static readonly Lazy<Task<Dictionary<string, Dictionary<string, string>>>> Evaluated = new(EvaluateAsync);

    public static TheoryData<string> DeploymentNames => [.. Deployments.Keys];

    [Theory]
    [MemberData(nameof(DeploymentNames))]
    public async Task EverySettingTheAppRequires_IsSetByTheTemplate(string deployment)
    {
        // Arrange
        var settings = (await Evaluated.Value)[deployment];

        // Act
        var missing = OptionsCatalog.RequiredSettings.Where(name => string.IsNullOrWhiteSpace(settings.GetValueOrDefault(name))).ToList();

        // Assert
        Assert.NotEmpty(OptionsCatalog.RequiredSettings);
        Assert.Empty(missing);
        Assert.Contains(settings.Keys, k => k.StartsWith(StorageConnectionSetting + "__", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DeploymentNames))]
    public async Task EverySettingTheTemplateSets_IsOneTheAppReads(string deployment)
    {
        var settings = (await Evaluated.Value)[deployment];

        var unknown = settings.Keys.Where(name => !OptionsCatalog.Binds(name) && !IsHostSetting(name)).ToList();

        Assert.Empty(unknown);
    }

    [Theory]
    [MemberData(nameof(DeploymentNames))]
    public async Task TheAppStarts_OnTheTemplatesSettings_AsAzureResolvesThem(string deployment)
    {
        // Arrange: Key Vault references resolved to valid secrets, plus what the platform sets itself.
        var settings = (await Evaluated.Value)[deployment];
        var configuration = settings.ToDictionary(s => s.Key.Replace("__", ":"), s => (string?)ResolveKeyVaultReference(s.Value));
        configuration["WEBSITE_INSTANCE_ID"] = "0123456789abcdef";
        configuration["WEBSITE_SITE_NAME"] = "func-test";
        if (settings["Auth__Mode"] == "AppServiceAuth")
        {
            configuration["WEBSITE_AUTH_ENABLED"] = "True"; // function-app.bicep turns Easy Auth on in this mode
        }

        // Act / Assert: start-up validation runs every options class's checks, conditional ones included.
        // Without the hosted services: they would reach for the template's Azure storage and database
        // (a managed-identity token first), which this machine must not try; validation does not need them.
        await AppHost.StartAndStopAsync(configuration, services => services.RemoveAll<IHostedService>());
    }

    [Fact]
    public async Task PushSettings_AreSetWithAPublicKey_NotificationUrlIncluded_AndAbsentWithout()
    {
        // Arrange
        var evaluated = await Evaluated.Value;

        // Act
        var withPush = evaluated["supabaseDeveloperWithPush"];
        var withoutPush = evaluated["supabaseDeveloper"];

        // Assert: the private key only as a Key Vault reference; no Push__ setting at all when push is off.
        Assert.Equal(NotificationUrl, withPush["Push__NotificationUrl"]);
        Assert.Equal(Vapid.PublicKey, withPush["Push__VapidPublicKey"]);
        Assert.Equal("mailto:ops@example.com", withPush["Push__VapidSubject"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={VaultUri}secrets/vapid-private-key/)", withPush["Push__VapidPrivateKey"]);
        Assert.DoesNotContain(withoutPush.Keys, name => name.StartsWith("Push__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EverySecretTheSettingsReference_IsOneTheKeyVaultModuleWrites()
    {
        // Arrange
        var referenced = (await Evaluated.Value).Values.SelectMany(s => s.Values)
            .Select(v => KeyVaultReference().Match(v)).Where(m => m.Success).Select(m => m.Groups["secret"].Value).ToHashSet();
        var build = await BicepCli.RunAsync("build", Path.Combine(BicepCli.InfraDirectory, "security", "key-vault.bicep"), "--stdout");
        Assert.True(build.ExitCode == 0, build.ToString());

        // Act
        var written = JsonNode.Parse(build.Output)!.Descendants().OfType<JsonObject>()
            .Where(r => r["type"] is JsonValue type && type.ToString() == "Microsoft.KeyVault/vaults/secrets")
            .Select(r => r["name"]!.ToString())
            .ToList();

        // Assert: encryption-key-<id> is written for the deployment's active id.
        Assert.All(referenced, secret => Assert.Contains(written, name =>
            name.Contains($"'{secret}'", StringComparison.Ordinal) || (secret.StartsWith("encryption-key-", StringComparison.Ordinal) && name.Contains("'encryption-key-{0}'", StringComparison.Ordinal))));
        Assert.Contains("postgres-connection-string", referenced);
    }

    private const string StorageConnectionSetting = NanoBanana.Functions.Storage.StorageConnection.SettingName;

    // Read by the Functions host and the app directly, not through an options class.
    private static bool IsHostSetting(string name) =>
        name.StartsWith(StorageConnectionSetting + "__", StringComparison.Ordinal) || name == "APPLICATIONINSIGHTS_CONNECTION_STRING";

    private static string ResolveKeyVaultReference(string value)
    {
        var reference = KeyVaultReference().Match(value);
        if (!reference.Success)
        {
            return value;
        }

        Assert.Equal(VaultUri, reference.Groups["vault"].Value);
        return reference.Groups["secret"].Value switch
        {
            "postgres-connection-string" => "Host=psql-test.postgres.database.azure.com;Port=6432;Database=nanobanana;Username=nanobanana_app;Password=from-key-vault;SSL Mode=VerifyFull;Maximum Pool Size=10;No Reset On Close=true;Max Auto Prepare=20",
            "postgres-listen-connection-string" => "Host=psql-test.postgres.database.azure.com;Port=5432;Database=nanobanana;Username=nanobanana_app;Password=from-key-vault;SSL Mode=VerifyFull",
            "auth-signing-key" => TestTokens.SigningKey,
            "gemini-api-key" => TestSecrets.ServerGeminiKey,
            "vapid-private-key" => Vapid.PrivateKey,
            "vertex-credentials" => """{"type": "service_account", "client_email": "nanobanana@banana-project.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"}""",
            var name when name.StartsWith("encryption-key-", StringComparison.Ordinal) => TestSecrets.EncryptionKey,
            var name => throw new Xunit.Sdk.XunitException($"The settings reference a secret the tests do not know: {name}"),
        };
    }

    private const string NoPush = "{ vapidSubject: '', vapidPublicKey: '', notificationUrl: '' }";

    private static string Input(string auth, string gemini, bool postgresEntraAuthentication = false, string push = NoPush) => $$"""
        {
          storageAccountName: 'sttest'
          keyVaultUri: '{{VaultUri}}'
          applicationInsightsConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000'
          queueName: 'generations'
          imageContainer: 'generation-images'
          uploadContainer: 'reference-uploads'
          auth: {{auth}}
          gemini: {{gemini}}
          encryptionKeyIds: ['k2', 'k1']
          postgresEntraAuthentication: {{(postgresEntraAuthentication ? "true" : "false")}}
          cleanupSchedule: '0 0 2 * * *'
          repairSchedule: '0 */5 * * * *'
          push: {{push}}
        }
        """;

    /// <summary>All deployments in one .bicepparam, evaluated by one run of the Bicep CLI.</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> EvaluateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("nanobanana-settings-");
        try
        {
            var settingsModule = Path.GetRelativePath(folder.FullName, Path.Combine(BicepCli.InfraDirectory, "app", "app-settings.bicep")).Replace('\\', '/');
            var file = Path.Combine(folder.FullName, "deployments.bicepparam");
            await File.WriteAllTextAsync(file,
                $"using none\nimport {{ appSettings }} from '{settingsModule}'\n" +
                string.Concat(Deployments.Select(d => $"param {d.Key} = appSettings({d.Value})\n")));

            var result = await BicepCli.RunAsync("build-params", file, "--stdout");

            Assert.True(result.ExitCode == 0, result.ToString());
            var parameters = JsonNode.Parse(JsonNode.Parse(result.Output)!["parametersJson"]!.GetValue<string>())!["parameters"]!;
            return Deployments.Keys.ToDictionary(
                name => name,
                name => parameters[name]!["value"]!.AsObject().ToDictionary(s => s.Key, s => s.Value!.GetValue<string>()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=(?<vault>https://[^/]+/)secrets/(?<secret>[a-z0-9-]+)/\)$")]
    private static partial Regex KeyVaultReference();
}
