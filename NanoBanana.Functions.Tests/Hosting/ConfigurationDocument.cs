using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using NanoBanana.Functions.Hosting;
using NanoBanana.Functions.Settings;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Tests.Deployment;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// Renders docs/CONFIGURATION.md from the options classes by reflection: each public settable property
/// is a setting named as an app setting spells it (Section__Property), with its type (and [Range]),
/// the default a new instance holds, whether it is [Required] (or [RequiredWhen]), and its
/// [Description]. The few settings read outside options classes are listed by hand in
/// <see cref="OutsideOptions"/>; ConfigurationDocumentTests checks that list against the code.
/// </summary>
internal static partial class ConfigurationDocument
{
    public const string RelativePath = "docs/CONFIGURATION.md";

    public const string RegenerateCommand =
        "NANOBANANA_WRITE_DOCS=1 scripts/test.sh --filter \"FullyQualifiedName~ConfigurationDocumentTests\"";

    /// <summary>Settings the app or the host reads directly (not bound to an options class).</summary>
    public static IReadOnlyList<Setting> OutsideOptions { get; } =
    [
        new($"{StorageConnection.SettingName}", "connection string", "", "yes, or the identity form below",
            "The storage account of the queue triggers and of the app's own queue and blob clients (Storage/StorageConnection builds them as the host does). Locally `UseDevelopmentStorage=true` (Azurite)."),
        new($"{StorageConnection.SettingName}__accountName", "string", "", "instead of a connection string",
            "Identity-based storage: the account name; the app and the host use the managed identity (DefaultAzureCredential)."),
        new($"{StorageConnection.SettingName}__clientId", "string", "", "no",
            "With `__accountName`: the client id of a user-assigned managed identity."),
        new($"{StorageConnection.SettingName}__queueServiceUri", "URL", "", "no",
            "With identity-based storage: the queue endpoint, when it is not `https://{accountName}.queue.core.windows.net`."),
        new($"{StorageConnection.SettingName}__blobServiceUri", "URL", "", "no",
            "With identity-based storage: the blob endpoint, when it is not `https://{accountName}.blob.core.windows.net`."),
        new("APPLICATIONINSIGHTS_CONNECTION_STRING", "connection string", "", "no",
            "Exports the app's metrics, logs and traces (OpenTelemetry, Telemetry/) to Application Insights. Without it and the next, metrics stay in-process and nothing is traced."),
        new("OTEL_EXPORTER_OTLP_ENDPOINT", "URL", "", "no",
            "Exports the metrics and traces to an OTLP collector (either or both of these two)."),
        new("WEBSITE_INSTANCE_ID", "string", "", "set by Azure",
            "Set by the platform; read (with the next) to know the app runs in Azure, where `Auth__Mode=Development` and `Outbound__AllowLoopback` refuse to start."),
        new("WEBSITE_SITE_NAME", "string", "", "set by Azure", "Set by the platform: the app's name; read as the one above."),
        new("WEBSITE_AUTH_ENABLED", "`True`/`False`", "", "set by Azure",
            "Set by the platform when App Service Authentication is on: `Auth__Mode=AppServiceAuth` refuses to start in Azure without it."),
        new("WEBSITE_TIME_ZONE", "time-zone name", "UTC", "no",
            "Read by the Functions host: the time zone of the NCRONTAB schedules (Windows names; on Linux Premium/Dedicated tz names like `Europe/Paris`; not on Linux Consumption or Flex Consumption)."),
        new("FUNCTIONS_WORKER_RUNTIME", "string", "", "yes",
            "Read by the Functions host: `dotnet-isolated`."),
    ];

    // The settings of OutsideOptions as the code spells them (AzureWebJobsStorage__x reduced to its root).
    public static IEnumerable<string> OutsideOptionsNames => OutsideOptions.Select(s => s.Name.Split("__")[0]).Distinct();

    public static string Render()
    {
        var text = new StringBuilder();
        text.Append($"""
            # Configuration

            <!-- Generated from the options classes by NanoBanana.Functions.Tests/Hosting/ConfigurationDocument.cs:
                 do not edit by hand. Regenerate: {RegenerateCommand} -->

            Every setting the app reads, as an app setting (an environment variable) spells it: `Section__Name`,
            `__0`, `__1`... for list items, `__<id>` for named entries. Locally they go under `Values` in
            `local.settings.json` (made from `local.settings.sample.json`); in Azure they are the function app's
            application settings (`infra/app/app-settings.bicep` sets them; [DEPLOY.md](DEPLOY.md) says which azd
            values feed which). Each options class is bound at start-up and validated there
            (`Settings/OptionsRegistration.AddValidatedOptions`: data annotations and the class's own
            checks): a missing or invalid setting stops the app with a message naming it. A blank default means none.

            ## Read outside the options classes

            | setting | type | default | required | description |
            |---|---|---|---|---|

            """);
        foreach (var setting in OutsideOptions)
        {
            AppendRow(text, setting);
        }

        var hostReads = HostResolvedSettings();
        foreach (var (type, section) in OptionsCatalog.OptionsClasses.OrderBy(o => o.Section, StringComparer.Ordinal))
        {
            var folder = type.Namespace!.Replace("NanoBanana.Functions.", "").Replace('.', '/');
            text.Append($"""

                ## {section}

                [`{type.Name}`](../NanoBanana.Functions/{folder}/{type.Name}.cs)

                | setting | type | default | required | description |
                |---|---|---|---|---|

                """);
            foreach (var setting in Settings(section, type, hostReads))
            {
                AppendRow(text, setting);
            }
        }

        return text.ToString().ReplaceLineEndings("\n");
    }

    /// <summary>Every setting of an options class, nested classes (Section__List__n__Name) flattened.</summary>
    public static IEnumerable<Setting> Settings(string prefix, Type type, IReadOnlyDictionary<string, string> hostReads)
    {
        var defaults = Activator.CreateInstance(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var name = $"{prefix}__{property.Name}";
            var kind = property.PropertyType;
            var element = kind.IsArray ? kind.GetElementType()! : null;
            if (element is not null && element != typeof(string) && element.IsClass)
            {
                foreach (var nested in Settings($"{name}__<n>", element, hostReads))
                {
                    yield return nested;
                }

                continue;
            }

            var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? throw new InvalidOperationException($"{type.Name}.{property.Name} has no [Description]: say what {name} does.");
            if (hostReads.TryGetValue(name.Replace("__", ":"), out var function))
            {
                description += $" The Functions host reads it too (`%{name.Replace("__", ":")}%` in {function}), before the app runs.";
            }

            var required = property.GetCustomAttribute<RequiredAttribute>() is not null ? "yes"
                : property.GetCustomAttribute<RequiredWhenAttribute>()?.Condition ?? "no";
            yield return new Setting(
                element is not null ? $"{name}__0..n" : typeof(IDictionary).IsAssignableFrom(kind) ? $"{name}__<id>" : name,
                TypeName(property),
                prefix.Contains("__<n>", StringComparison.Ordinal) ? "" : Display(property.GetValue(defaults)), // an item's own defaults mean nothing
                required,
                description);
        }
    }

    /// <summary>The %Section:Name% settings the host resolves in trigger attributes (queue names, schedules), by the function reading each.</summary>
    public static IReadOnlyDictionary<string, string> HostResolvedSettings() =>
        (from type in typeof(ServiceCollectionExtensions).Assembly.GetTypes()
         from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
         from parameter in method.GetParameters()
         from attribute in parameter.CustomAttributes
         from argument in attribute.ConstructorArguments
         where argument.Value is string
         from Match match in HostSetting().Matches((string)argument.Value!)
         group $"{type.Name}.{method.Name}" by match.Groups["name"].Value)
        .ToDictionary(g => g.Key, g => string.Join(", ", g.Distinct().Order(StringComparer.Ordinal)), StringComparer.Ordinal);

    private static string TypeName(PropertyInfo property)
    {
        var kind = property.PropertyType;
        var core = Nullable.GetUnderlyingType(kind) ?? (kind.IsArray ? kind.GetElementType()! : kind);
        var name = core.IsEnum ? string.Join(", ", Enum.GetNames(core).Select(n => $"`{n}`"))
            : typeof(IDictionary).IsAssignableFrom(kind) ? "string per id"
            : core == typeof(string) ? "string"
            : core == typeof(bool) ? "`true`/`false`"
            : core == typeof(int) ? "integer"
            : core == typeof(double) ? "number"
            : throw new InvalidOperationException($"{property.DeclaringType!.Name}.{property.Name}: name the type {core} in ConfigurationDocument.TypeName.");
        if (kind.IsArray)
        {
            name = $"list of {name}s";
        }

        return property.GetCustomAttribute<RangeAttribute>() is { } range
            ? $"{name}, {Number(range.Minimum)} to {Number(range.Maximum)}"
            : name;
    }

    private static string Number(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Display(object? value) => value switch
    {
        null or "" => "",
        bool b => b ? "`true`" : "`false`",
        IFormattable number and not Enum => $"`{number.ToString(null, CultureInfo.InvariantCulture)}`",
        string s => $"`{s}`",
        ICollection { Count: 0 } => "none",
        _ => $"`{value}`",
    };

    private static void AppendRow(StringBuilder text, Setting s) =>
        text.Append($"| `{s.Name}` | {Cell(s.Type)} | {Cell(s.Default)} | {Cell(s.Required)} | {Cell(s.Description)} |\n");

    // A table cell: no pipes, and no angle brackets a Markdown renderer would take for HTML (inside `code` they are safe).
    private static string Cell(string value) =>
        string.Join('`', value.Replace("|", "\\|").Split('`').Select((part, i) => i % 2 == 0 ? part.Replace("<", "&lt;") : part));

    [GeneratedRegex("%(?<name>[A-Za-z0-9_:]+)%")]
    private static partial Regex HostSetting();

    public sealed record Setting(string Name, string Type, string Default, string Required, string Description);
}
