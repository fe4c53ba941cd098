using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>local.settings.sample.json, as a fresh checkout's local.settings.json starts.</summary>
internal static class LocalSettingsSample
{
    public static LocalSettingsFile Read() => LocalSettingsFile.Read(Path.Combine(TestSettings.RepositoryRoot, "local.settings.sample.json"));

    public static IReadOnlyDictionary<string, string> Values() => Read().Values;
}
