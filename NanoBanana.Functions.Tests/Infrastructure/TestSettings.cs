namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Where the real services are. By default, what scripts/services.sh starts: Postgres on
/// 127.0.0.1:$NANOBANANA_PG_PORT (54329) and Azurite on $NANOBANANA_BLOB_PORT/$NANOBANANA_QUEUE_PORT
/// (10000/10001), so a second checkout with other ports tests against its own services.
/// NANOBANANA_TEST_POSTGRES / NANOBANANA_TEST_STORAGE point the tests at any other server instead.
/// </summary>
internal static class TestSettings
{
    // Azurite's well-known development account (public, documented by Azure).
    private const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("NANOBANANA_TEST_POSTGRES")
        ?? $"Host=127.0.0.1;Port={Port("NANOBANANA_PG_PORT", 54329)};Username=postgres;" +
           $"Password={Environment.GetEnvironmentVariable("NANOBANANA_PG_PASSWORD") ?? "postgres"};Timeout=5";

    public static string Storage =>
        Environment.GetEnvironmentVariable("NANOBANANA_TEST_STORAGE") ?? LocalAzurite;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static int BlobPort => Port("NANOBANANA_BLOB_PORT", 10000);

    private static int QueuePort => Port("NANOBANANA_QUEUE_PORT", 10001);

    private static string LocalAzurite => BlobPort == 10000 && QueuePort == 10001
        ? "UseDevelopmentStorage=true"
        : LocalAzuriteWithQueueAt($"http://127.0.0.1:{QueuePort}/devstoreaccount1");

    /// <summary>The local Azurite account with its queue endpoint replaced (e.g. by a port nothing listens on).</summary>
    public static string LocalAzuriteWithQueueAt(string queueEndpoint) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint={queueEndpoint};";

    /// <summary>The blob endpoint of <see cref="Storage"/> (the development shortcut spelled out).</summary>
    public static string StorageBlobEndpoint =>
        Parts(Storage).FirstOrDefault(p => p.StartsWith("BlobEndpoint=", StringComparison.OrdinalIgnoreCase))?["BlobEndpoint=".Length..]
        ?? throw new InvalidOperationException("The storage connection string names no BlobEndpoint; a test that gates blob requests needs one.");

    /// <summary><see cref="Storage"/> with its blob endpoint replaced (e.g. by a gate in front of it).</summary>
    public static string StorageWithBlobAt(string blobEndpoint) =>
        string.Join(';', Parts(Storage).Where(p => !p.StartsWith("BlobEndpoint=", StringComparison.OrdinalIgnoreCase)).Append($"BlobEndpoint={blobEndpoint}")) + ";";

    private static IEnumerable<string> Parts(string connectionString) =>
        (connectionString.Trim() == "UseDevelopmentStorage=true" ? LocalAzuriteWithQueueAt($"http://127.0.0.1:{QueuePort}/devstoreaccount1") : connectionString)
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Port(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;

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
