using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Hosting;
using NanoBanana.Functions.Tests.Deployment;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// docs/CONFIGURATION.md is what the options classes render (so it cannot drift from the code), and
/// it holds every setting the app binds at start-up or reads directly.
/// </summary>
public sealed partial class ConfigurationDocumentTests
{
    private static readonly string DocumentPath = Path.Combine(TestSettings.RepositoryRoot, ConfigurationDocument.RelativePath);

    [Fact]
    public void TheDocument_IsWhatTheOptionsClassesRender()
    {
        // Arrange
        var rendered = ConfigurationDocument.Render();
        if (Environment.GetEnvironmentVariable("NANOBANANA_WRITE_DOCS") == "1")
        {
            File.WriteAllText(DocumentPath, rendered);
        }

        // Act
        var committed = File.Exists(DocumentPath) ? File.ReadAllText(DocumentPath).ReplaceLineEndings("\n") : "";

        // Assert
        Assert.True(committed == rendered,
            $"{ConfigurationDocument.RelativePath} differs from what the options classes render. Regenerate it: {ConfigurationDocument.RegenerateCommand}");
    }

    [Fact]
    public void EveryOptionsClassBoundAtStartUp_HasEverySettingInTheDocument()
    {
        // Arrange: the options types the app's own wiring binds to configuration (BindConfiguration
        // registers a change-token source per bound type), not a list kept beside it.
        var services = new ServiceCollection().AddNanoBanana(new ConfigurationBuilder().Build());
        var bound = services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Where(t => t.Assembly == typeof(NanoBanana.Functions.Hosting.ServiceCollectionExtensions).Assembly)
            .Distinct()
            .ToList();
        var document = File.ReadAllText(DocumentPath);
        var hostReads = ConfigurationDocument.HostResolvedSettings();

        // Act
        var undocumented = (
            from type in bound
            let section = OptionsCatalog.OptionsClasses.Where(o => o.Type == type).Select(o => o.Section).FirstOrDefault()
            from name in section is null ? [$"{type.Name} (no Section constant)"] : ConfigurationDocument.Settings(section, type, hostReads).Select(s => s.Name)
            where !document.Contains($"| `{name}` |", StringComparison.Ordinal)
            select name).ToList();

        // Assert
        Assert.Equal(OptionsCatalog.OptionsClasses.Count, bound.Count);
        Assert.Contains(typeof(NanoBanana.Functions.Maintenance.MaintenanceOptions), bound);
        Assert.True(undocumented.Count == 0, $"Not in {ConfigurationDocument.RelativePath}: {string.Join(", ", undocumented)}. Regenerate it: {ConfigurationDocument.RegenerateCommand}");
    }

    [Fact]
    public void EverySettingTheHostResolvesInATrigger_IsAnOptionsSettingInTheDocument()
    {
        // Arrange
        var hostReads = ConfigurationDocument.HostResolvedSettings();
        var document = File.ReadAllText(DocumentPath);

        // Act
        var missing = hostReads.Keys.Where(name => !document.Contains($"| `{name.Replace(":", "__")}` |", StringComparison.Ordinal)).ToList();

        // Assert: the queue name and both schedules are read by the host before any app code runs.
        Assert.Contains("Maintenance:CleanupSchedule", hostReads.Keys);
        Assert.Contains("Storage:QueueName", hostReads.Keys);
        Assert.Empty(missing);
    }

    [Fact]
    public void EverySettingTheCodeReadsDirectly_IsInTheDocument()
    {
        // Arrange: configuration["NAME"] and setting-name constants in the app's source.
        var source = Path.Combine(TestSettings.RepositoryRoot, "NanoBanana.Functions");
        var read = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => DirectRead().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value))
            .Where(name => !name.Contains(':'))
            .Distinct()
            .ToList();
        var document = File.ReadAllText(DocumentPath);

        // Act
        var missing = read.Where(name => !document.Contains($"`{name}", StringComparison.Ordinal)).ToList();

        // Assert
        Assert.Contains("AzureWebJobsStorage", read);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", read);
        Assert.Empty(missing);
        Assert.All(read, name => Assert.Contains(name, ConfigurationDocument.OutsideOptionsNames));
    }

    [Fact]
    public void EverySettingTheSampleSets_IsInTheDocument()
    {
        // Arrange
        var document = File.ReadAllText(DocumentPath);

        // Act: list items and named entries appear as __0..n and __<id>.
        var missing = LocalSettingsSample.Values().Keys
            .Select(name => IndexedEntry().Replace(name, m => OptionsCatalog.Binds(name) ? (char.IsDigit(m.Value[2]) ? "__0..n" : "__<id>") : m.Value))
            .Where(name => !document.Contains($"| `{name}` |", StringComparison.Ordinal))
            .ToList();

        // Assert
        Assert.Empty(missing);
    }

    [GeneratedRegex("""(configuration\["|SettingName = ")(?<name>[A-Za-z0-9_:]+)"]?""")]
    private static partial Regex DirectRead();

    // The third part of Section__Property__entry (an index or an id).
    [GeneratedRegex("(?<=^[^_]+__[^_]+)__[^_]+$")]
    private static partial Regex IndexedEntry();
}
