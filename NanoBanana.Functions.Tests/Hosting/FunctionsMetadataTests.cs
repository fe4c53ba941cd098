using System.Reflection;
using System.Text.Json;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// Pins what the Functions host will index: the functions.metadata the worker SDK generates at build.
/// A renamed route, a changed method or a weakened auth level fails here, not in production.
/// </summary>
public sealed class FunctionsMetadataTests
{
    public static TheoryData<string, string, string, string, string> HttpFunctions => new()
    {
        { "CreateGeneration", "httpTrigger", "generations", "post", "Anonymous" },
        { "GetGeneration", "httpTrigger", "generations/{id}", "get", "Anonymous" },
        { "ListGenerations", "httpTrigger", "generations", "get", "Anonymous" },
        { "RetryGeneration", "httpTrigger", "generations/{id}/retry", "post", "Anonymous" },
        { "CancelGeneration", "httpTrigger", "generations/{id}/cancel", "post", "Anonymous" },
        { "DeleteGeneration", "httpTrigger", "generations/{id}", "delete", "Anonymous" },
        { "Health", "httpTrigger", "health", "get", "Anonymous" },
    };

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void HttpFunction_HasItsRouteMethodAndAuthLevel(string name, string trigger, string route, string method, string authLevel)
    {
        // Arrange
        var function = Metadata().Single(f => f.GetProperty("name").GetString() == name);

        // Act
        var binding = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

        // Assert
        Assert.Equal(trigger, binding.GetProperty("type").GetString());
        Assert.Equal(route, binding.GetProperty("route").GetString());
        Assert.Equal([method], binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(authLevel, binding.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void Metadata_ListsExactlyTheExpectedFunctions()
    {
        // Act
        var names = Metadata().Select(f => f.GetProperty("name").GetString()).Order().ToList();

        // Assert
        Assert.Equal(HttpFunctions.Select(row => (string)row[0]).Order(), names);
    }

    internal static IReadOnlyList<JsonElement> Metadata()
    {
        var path = Path.Combine(FunctionsOutput.Directory, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build NanoBanana.Functions first.");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().ToList();
    }
}

internal static class FunctionsOutput
{
    public static string Directory { get; } = typeof(FunctionsOutput).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsOutputDir").Value!;
}
