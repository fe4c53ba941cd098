using System.Text.Json.Nodes;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// The whole of infra/main.bicep evaluated offline by `bicep snapshot`: every resource the deployment
/// would create, with its name, scope (in its id) and properties as far as they are known before
/// anything exists (runtime values stay as ARM expressions).
/// </summary>
internal sealed class DeploymentSnapshot
{
    private DeploymentSnapshot(IReadOnlyList<JsonObject> resources) => Resources = resources;

    public IReadOnlyList<JsonObject> Resources { get; }

    /// <param name="parameters">Bicep parameter assignments beyond the required ones, e.g. "environmentType = 'development'".</param>
    public static async Task<DeploymentSnapshot> EvaluateAsync(params string[] parameters)
    {
        var folder = Directory.CreateTempSubdirectory("nanobanana-snapshot-");
        try
        {
            var main = Path.GetRelativePath(folder.FullName, Path.Combine(BicepCli.InfraDirectory, "main.bicep")).Replace('\\', '/');
            var file = Path.Combine(folder.FullName, "deployment.bicepparam");
            await File.WriteAllLinesAsync(file, [
                $"using '{main}'",
                "param environmentName = 'nanobanana-test'",
                "param location = 'westeurope'",
                "param principalId = '00000000-0000-0000-0000-00000000d00d'",
                "param authIssuer = 'https://project.supabase.co/auth/v1'",
                "param postgresAdminPassword = 'admin-password-for-the-snapshot'",
                "param postgresAppPassword = 'app-password-for-the-snapshot'",
                .. parameters.Select(p => "param " + p)]);

            var result = await BicepCli.RunAsync("snapshot", file,
                "--subscription-id", "00000000-0000-0000-0000-0000000000aa", "--tenant-id", "00000000-0000-0000-0000-0000000000bb", "--location", "westeurope");

            Assert.True(result.ExitCode == 0, result.ToString());
            var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder.FullName, "deployment.snapshot.json")))!;
            return new DeploymentSnapshot(snapshot["predictedResources"]!.AsArray().OfType<JsonObject>().ToList());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject Single(string type) => Assert.Single(OfType(type));
}
