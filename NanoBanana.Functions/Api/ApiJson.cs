using System.Text.Json;

namespace NanoBanana.Functions.Api;

/// <summary>The API's JSON: camelCase (System.Text.Json's web defaults), the same for requests and responses.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        return options;
    }
}
