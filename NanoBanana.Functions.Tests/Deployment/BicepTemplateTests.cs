using System.Text.Json.Nodes;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>Every Bicep file in infra/ compiles and passes the linter (infra/bicepconfig.json) without a single warning.</summary>
public sealed class BicepTemplateTests
{
    [Fact]
    public async Task EveryBicepFile_Compiles_WithoutDiagnostics()
    {
        // Arrange
        var output = Directory.CreateTempSubdirectory("nanobanana-bicep-");
        try
        {
            // Act
            var build = await BicepCli.RunAsync("build", "--pattern", Path.Combine(BicepCli.InfraDirectory, "**", "*.bicep"), "--outdir", output.FullName);

            // Assert: no errors, no warnings, and one ARM template per file.
            Assert.True(build.ExitCode == 0 && build.Output.Length == 0 && build.Error.Length == 0, build.ToString());
            var compiled = Directory.GetFiles(output.FullName, "*.json", SearchOption.AllDirectories);
            Assert.Equal(BicepCli.TemplateFiles().Count, compiled.Length);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task EveryBicepFile_PassesTheLinter()
    {
        var lint = await BicepCli.RunAsync("lint", "--pattern", Path.Combine(BicepCli.InfraDirectory, "**", "*.bicep"));

        Assert.True(lint.ExitCode == 0 && lint.Output.Length == 0 && lint.Error.Length == 0, lint.ToString());
    }

    [Fact]
    public async Task TheFunctionApp_TakesItsSettingsFromAppSettingsBicep_AndNowhereElse()
    {
        // Arrange
        var build = await BicepCli.RunAsync("build", Path.Combine(BicepCli.InfraDirectory, "main.bicep"), "--stdout");
        Assert.True(build.ExitCode == 0, build.ToString());
        var resources = JsonNode.Parse(build.Output)!.Descendants().OfType<JsonObject>().Where(n => n["type"] is JsonValue).ToList();

        // Act
        var sites = resources.Where(r => (string?)r["type"] == "Microsoft.Web/sites").ToList();
        var settingsConfigs = resources.Where(r => (string?)r["type"] == "Microsoft.Web/sites/config" && r["name"]!.ToString().Contains("appsettings", StringComparison.OrdinalIgnoreCase));

        // Assert: one site, whose app settings are exactly the result of the function the settings tests evaluate.
        var site = Assert.Single(sites);
        Assert.Equal("[map(items(__bicep.appSettings(parameters('settings'))), lambda('setting', createObject('name', lambdaVariables('setting').key, 'value', lambdaVariables('setting').value)))]",
            site["properties"]!["siteConfig"]!["appSettings"]!.ToString());
        Assert.Empty(settingsConfigs);
        Assert.Equal("10.0", site["properties"]!["functionAppConfig"]!["runtime"]!["version"]!.ToString());
    }
}

internal static class JsonNodeExtensions
{
    public static IEnumerable<JsonNode> Descendants(this JsonNode node) => node switch
    {
        JsonObject o => new[] { node }.Concat(o.Select(p => p.Value).OfType<JsonNode>().SelectMany(Descendants)),
        JsonArray a => a.OfType<JsonNode>().SelectMany(Descendants),
        _ => [],
    };
}
