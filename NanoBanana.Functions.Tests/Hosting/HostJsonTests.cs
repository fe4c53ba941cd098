using System.Text.Json;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>Pins the host.json settings the code depends on, as the host will read them from the build output.</summary>
public sealed class HostJsonTests
{
    private static readonly JsonElement Host = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsOutput.Directory, "host.json"))).RootElement;

    [Fact]
    public void HostJson_IsVersion2_AndCopiedToTheBuildOutput()
    {
        Assert.Equal("2.0", Host.GetProperty("version").GetString());
    }

    [Fact]
    public void Queues_DecodeBase64_WhichIsWhatTheApiSends()
    {
        Assert.Equal("base64", Host.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void Http_RoutePrefix_IsApi_AsTheLocationHeadersAssume()
    {
        Assert.Equal("api", Host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("/api", NanoBanana.Functions.Api.ApiRoutes.Prefix);
    }
}
