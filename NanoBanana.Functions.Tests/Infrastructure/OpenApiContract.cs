using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// The API's OpenAPI description (the document the app serves) as a contract every response must
/// keep: the path and method are described, the status is one of the operation's, its required
/// headers are there, and a JSON body validates against the schema (JsonSchema.Net; schemas are
/// closed, so an undocumented field fails too). <see cref="FunctionApp.ExecuteAsync"/> checks every
/// response the tests and the HTTP front see.
/// </summary>
internal static class OpenApiContract
{
    private const string Prefix = "/api";

    public static JsonObject Document { get; } = Load();

    private static readonly JsonObject Definitions =
        JsonNode.Parse(Document["components"]!["schemas"]!.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal))!.AsObject();

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new();

    /// <summary>What in this response the description does not allow; empty when it keeps the contract.</summary>
    public static IReadOnlyList<string> Violations(HttpContext context, byte[] body)
    {
        var (request, response) = (context.Request, context.Response);
        var call = $"{request.Method} {request.Path}{request.QueryString} -> {response.StatusCode}";
        if (response.StatusCode == StatusCodes.Status499ClientClosedRequest)
        {
            return []; // nobody is there to read it
        }

        if (Operation(request.Method, request.Path.Value ?? "") is not ({ } template, { } operation))
        {
            return [$"{call}: no operation in openapi.json"];
        }

        if (Resolve(operation["responses"]?[response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)]) is not JsonObject described)
        {
            return [$"{call}: {response.StatusCode} is not a response of {request.Method} {template} in openapi.json"];
        }

        var violations = new List<string>();
        foreach (var (name, header) in described["headers"]?.AsObject() ?? [])
        {
            if (Resolve(header)?["required"]?.GetValue<bool>() == true && !response.Headers.ContainsKey(name))
            {
                violations.Add($"{call}: header {name} is required");
            }
        }

        if (described["content"] is not JsonObject content)
        {
            return body.Length == 0 ? violations : [.. violations, $"{call}: a body where openapi.json describes none"];
        }

        var mediaType = (response.ContentType ?? "").Split(';')[0].Trim();
        if (content[mediaType] is not JsonObject media)
        {
            return [.. violations, $"{call}: Content-Type {mediaType} is not one openapi.json describes"];
        }

        if (mediaType.EndsWith("json", StringComparison.Ordinal) && media["schema"] is JsonNode schema)
        {
            var key = $"{request.Method} {template} {response.StatusCode} {mediaType}";
            var result = Schemas.GetOrAdd(key, _ => Compile(schema)).Evaluate(JsonNode.Parse(body), new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                // (The list holds the errors of every branch tried, the ones of passing anyOf branches too.)
                violations.AddRange((result.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{call}: {d.InstanceLocation}: {e.Value}")));
            }
        }

        return violations;
    }

    /// <summary>Every operation as (method, path under /api), e.g. ("GET", "/generations/{id}").</summary>
    public static IEnumerable<(string Method, string Path)> Operations() =>
        from path in Document["paths"]!.AsObject()
        from member in path.Value!.AsObject()
        where member.Key != "parameters"
        select (member.Key.ToUpperInvariant(), path.Key);

    private static (string Template, JsonObject Operation)? Operation(string method, string path)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var segments = path[Prefix.Length..].Split('/');
        // Literal segments win over parameters, as routing does.
        var match = Document["paths"]!.AsObject()
            .Select(p => (Template: p.Key, Item: p.Value!.AsObject(), Parts: p.Key.Split('/')))
            .Where(p => p.Parts.Length == segments.Length && p.Parts.Zip(segments).All(s => s.First.StartsWith('{') || s.First == s.Second))
            .OrderBy(p => p.Parts.Count(s => s.StartsWith('{')))
            .Select(p => (p.Template, Operation: p.Item[method.ToLowerInvariant()] as JsonObject))
            .FirstOrDefault(p => p.Operation is not null);
        return match.Operation is null ? null : (match.Template, match.Operation);
    }

    // "$ref": "#/components/<kind>/<name>" within the document.
    private static JsonNode? Resolve(JsonNode? node) =>
        node?["$ref"]?.GetValue<string>() is { } reference
            ? Resolve(reference.TrimStart('#', '/').Split('/').Aggregate((JsonNode?)Document, (at, part) => at?[part]))
            : node;

    private static JsonSchema Compile(JsonNode schema)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = Definitions.DeepClone(),
            ["allOf"] = new JsonArray(JsonNode.Parse(schema.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal))),
        };
        return JsonSchema.FromText(root.ToJsonString());
    }

    private static JsonObject Load()
    {
        using var stream = typeof(OpenApiFunction).Assembly.GetManifestResourceStream(OpenApiFunction.ResourceName)!;
        return JsonNode.Parse(stream)!.AsObject();
    }
}
