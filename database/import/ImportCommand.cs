using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using NanoBanana.Functions.Outbound;
using NanoBanana.Functions.Storage;
using Npgsql;

namespace NanoBanana.Import;

/// <summary>
/// The command line: which history to import (--user or --all-users), from where (--source), into
/// the NanoBanana that the app's own settings name (Postgres__ConnectionString, AzureWebJobsStorage,
/// Storage__ImageContainer: environment variables, or the Values of --settings local.settings.json).
/// </summary>
public static class ImportCommand
{
    public const string Usage = """
        usage: scripts/import-original.sh (--user <supabase-user-uuid> | --all-users) [--source <postgres-url-or-connection-string>]
                                          [--settings <local.settings.json>] [--json]
          --source    the original (Supabase) database; default $NANOBANANA_ORIGINAL_DATABASE
          --settings  read the target's settings from this file's Values instead of the environment
        exit codes: 0 done, 2 bad arguments or settings, 3 some generations left for a later run
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct,
        TimeProvider? clock = null, HttpMessageHandler? httpHandler = null)
    {
        if (Parse(args, error) is not { } options)
        {
            return 2;
        }

        var configuration = Configuration(options.SettingsFile);
        var target = configuration["Postgres:ConnectionString"];
        var storage = new StorageConnection(configuration);
        if (string.IsNullOrWhiteSpace(options.Source) || string.IsNullOrWhiteSpace(target) || !storage.IsConfigured)
        {
            await error.WriteLineAsync("Set --source (or NANOBANANA_ORIGINAL_DATABASE), Postgres__ConnectionString and AzureWebJobsStorage.\n" + Usage);
            return 2;
        }

        await using var source = NpgsqlDataSource.Create(ConnectionString(options.Source));
        await using var nanobanana = NpgsqlDataSource.Create(target);
        // The app's SSRF guard: public https addresses only (Outbound__AllowLoopback lets a local test host through).
        var targets = new OutboundTargets(Microsoft.Extensions.Options.Options.Create(configuration.GetSection(OutboundOptions.Section).Get<OutboundOptions>() ?? new OutboundOptions()));
        using var http = new HttpClient(httpHandler ?? targets.CreateHandler(), disposeHandler: httpHandler is null) { Timeout = TimeSpan.FromSeconds(60) };
        var container = storage.CreateBlobServiceClient(new BlobClientOptions()).GetBlobContainerClient(configuration["Storage:ImageContainer"] ?? new StorageOptions().ImageContainer);
        var importer = new Importer(new OriginalDatabase(source), new TargetGenerations(nanobanana), new ImageStore(container), new ImageSource(http, targets), clock ?? TimeProvider.System);

        var report = await importer.RunAsync(options.UserId, ct);

        await output.WriteLineAsync(options.Json ? report.ToJson() : report.ToString());
        return report.LeftForALaterRun ? 3 : 0;
    }

    private sealed record Options(Guid? UserId, string? Source, string? SettingsFile, bool Json);

    private static Options? Parse(string[] args, TextWriter error)
    {
        Guid? user = null;
        bool all = false, json = false;
        string? source = Environment.GetEnvironmentVariable("NANOBANANA_ORIGINAL_DATABASE"), settings = null;
        for (var i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--user" when Guid.TryParse(Value(), out var id): user = id; break;
                case "--all-users": all = true; break;
                case "--source": source = Value(); break;
                case "--settings": settings = Value(); break;
                case "--json": json = true; break;
                default:
                    error.WriteLine($"not understood: {args[i]}\n{Usage}");
                    return null;
            }
        }

        if (user is null == !all)
        {
            error.WriteLine("Give exactly one of --user <uuid> and --all-users.\n" + Usage);
            return null;
        }

        return new Options(user, source, settings, json);
    }

    private static IConfiguration Configuration(string? settingsFile)
    {
        var builder = new ConfigurationBuilder().AddEnvironmentVariables();
        if (settingsFile is not null)
        {
            // local.settings.json as Core Tools reads it: comments allowed, "__" nests sections.
            using var document = JsonDocument.Parse(File.ReadAllText(settingsFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            builder.AddInMemoryCollection(document.RootElement.GetProperty("Values").EnumerateObject()
                .Select(v => KeyValuePair.Create(v.Name.Replace("__", ":"), v.Value.GetString())).ToList());
        }

        return builder.Build();
    }

    /// <summary>Supabase hands out postgres:// URLs; Npgsql takes key=value connection strings. Either is accepted.</summary>
    internal static string ConnectionString(string source)
    {
        if (!source.StartsWith("postgres://", StringComparison.Ordinal) && !source.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            return source;
        }

        var uri = new Uri(source);
        var credentials = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } database ? database : "postgres",
            Username = Uri.UnescapeDataString(credentials[0]),
            Password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null,
        };
        if (System.Web.HttpUtility.ParseQueryString(uri.Query)["sslmode"] is { } sslMode)
        {
            builder.SslMode = Enum.Parse<SslMode>(sslMode.Replace("-", ""), ignoreCase: true);
        }

        return builder.ConnectionString;
    }
}
