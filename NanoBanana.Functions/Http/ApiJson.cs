using System.Text.Json;

namespace NanoBanana.Functions.Http;

/// <summary>The API's JSON: camelCase (System.Text.Json's web defaults), the same for requests and responses.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = ReadOnly(Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    // Read-only with the reflection resolver in place, so the request types' contracts can be read (RequestShape).
    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        return options;
    }
}
