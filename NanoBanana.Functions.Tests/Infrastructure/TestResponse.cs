using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>What a function answered: status, headers and body, with helpers to read the JSON.</summary>
internal sealed record TestResponse(int Status, IHeaderDictionary Headers, byte[] Body)
{
    public string? ContentType => Headers.ContentType;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public T Read<T>() => JsonSerializer.Deserialize<T>(Body, ApiJson.Options)!;

    public GenerationResponse Generation => Read<GenerationResponse>();

    /// <summary>The stable code of a problem+json response (and asserts it is one).</summary>
    public string ProblemCode
    {
        get
        {
            Assert.Equal("application/problem+json", ContentType);
            return Json.GetProperty("code").GetString()!;
        }
    }

    public override string ToString() => $"{Status} {ContentType} {System.Text.Encoding.UTF8.GetString(Body)}";
}
