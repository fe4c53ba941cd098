using System.Text.Json;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// The functions the Functions host indexes, read from the same files it reads: the functions.metadata
/// the worker SDK writes at build (names, entry points, trigger bindings) and host.json's route prefix.
/// </summary>
/// <param name="ScriptFile">The assembly the entry points are in (the same for every function of this app).</param>
internal sealed record FunctionsMetadata(string RoutePrefix, string ScriptFile, IReadOnlyList<HttpFunction> Http, IReadOnlyList<TimerFunction> Timers)
{
    public static FunctionsMetadata Load(string functionsOutputDirectory)
    {
        var metadataPath = Path.Combine(functionsOutputDirectory, "functions.metadata");
        if (!File.Exists(metadataPath))
        {
            throw new InvalidOperationException($"{metadataPath} is missing: build NanoBanana.Functions first.");
        }

        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(functionsOutputDirectory, "host.json")));

        var http = new List<HttpFunction>();
        var timers = new List<TimerFunction>();
        var scriptFiles = new HashSet<string>();
        foreach (var function in metadata.RootElement.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            var entryPoint = function.GetProperty("entryPoint").GetString()!;
            scriptFiles.Add(function.GetProperty("scriptFile").GetString()!);
            var trigger = function.GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            switch (trigger.GetProperty("type").GetString())
            {
                case "httpTrigger":
                    // As the host: no route means the function's name; no methods means every method.
                    var route = trigger.TryGetProperty("route", out var r) && r.GetString() is { Length: > 0 } given ? given : name;
                    var methods = trigger.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
                        ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToArray()
                        : null;
                    http.Add(new HttpFunction(name, entryPoint, route, methods, trigger.GetProperty("authLevel").GetString()!));
                    break;
                case "timerTrigger":
                    timers.Add(new TimerFunction(name, entryPoint, trigger.GetProperty("schedule").GetString()!));
                    break;
            }
        }

        return new FunctionsMetadata(RoutePrefixOf(host.RootElement), scriptFiles.Single(), http, timers);
    }

    private static string RoutePrefixOf(JsonElement host) =>
        host.TryGetProperty("extensions", out var extensions)
        && extensions.TryGetProperty("http", out var http)
        && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!.Trim('/')
            : "api";
}

/// <param name="Methods">Upper-case HTTP methods, or null for all.</param>
internal sealed record HttpFunction(string Name, string EntryPoint, string Route, IReadOnlyList<string>? Methods, string AuthLevel);

/// <param name="Schedule">NCRONTAB, or a %setting% to resolve from the app settings.</param>
internal sealed record TimerFunction(string Name, string EntryPoint, string Schedule);
