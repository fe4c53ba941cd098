namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Where the real services are. Environment variables override the defaults that
/// scripts/services.sh starts (Postgres on 127.0.0.1:54329, Azurite on its default ports).
/// </summary>
internal static class TestSettings
{
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("NANOBANANA_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=54329;Username=postgres;Password=postgres;Timeout=5";

    public static string Storage =>
        Environment.GetEnvironmentVariable("NANOBANANA_TEST_STORAGE") ?? "UseDevelopmentStorage=true";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NanoBanana.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("NanoBanana.sln not found above " + AppContext.BaseDirectory);
    }
}
