using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// openapi.json describes exactly the API there is: every HTTP function's route and method, every
/// problem code. (That every response keeps to it is checked on each call, in <see cref="FunctionApp.ExecuteAsync"/>.)
/// </summary>
public sealed class OpenApiDocumentTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public void EveryOperation_IsAnHttpFunction_AndEveryHttpFunction_IsAnOperation()
    {
        // Arrange
        var functions = FunctionsMetadataTests.HttpFunctions.Select(row => ((string)row[3]).ToUpperInvariant() + " /" + (string)row[2]).Order();

        // Act
        var described = OpenApiContract.Operations().Select(o => o.Method + " " + o.Path).Order();

        // Assert
        Assert.Equal(functions, described);
    }

    [Fact]
    public void ProblemCodes_AreExactlyTheOnesTheCodeHas()
    {
        // Arrange
        var inCode = typeof(ProblemCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).Order();

        // Act
        var described = OpenApiContract.Document["components"]!["schemas"]!["ProblemCode"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>()).Order();

        // Assert
        Assert.Equal(inCode, described);
    }

    [Fact]
    public void TheRatioSizeAndImageTypeEnums_AreEveryAvailableModelsOfTheCatalog()
    {
        // Arrange
        var catalog = NanoBanana.Functions.Gemini.Models.ModelCatalog.Embedded.Available.ToList();
        var schemas = OpenApiContract.Document["components"]!["schemas"]!;
        static List<string> Enum(JsonNode node) => node["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Order().ToList();

        // Act & Assert
        Assert.Equal(catalog.SelectMany(m => m.AspectRatios).Distinct().Order(), Enum(schemas["AspectRatio"]!));
        Assert.Equal(catalog.SelectMany(m => m.ImageSizes).Distinct().Order(), Enum(schemas["Resolution"]!));
        Assert.Equal(catalog.SelectMany(m => m.InputMimeTypes).Distinct().Order(), Enum(schemas["InputImage"]!["properties"]!["mimeType"]!));
        var references = catalog.Max(m => m.MaxReferenceImages);
        Assert.Equal(references, schemas["CreateGenerationRequest"]!["properties"]!["images"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(references, schemas["Generation"]!["properties"]!["inputImageCount"]!["maximum"]!.GetValue<int>());
    }

    [Fact]
    public async Task TheDocument_IsServedAtApiOpenApiJson_AsOpenApi31()
    {
        // Act
        var response = await fixture.App.InvokeAsync(fixture.App.Request("GET", "/api/openapi.json"), async r => await OpenApiFunction.Get(r));

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("3.1.0", JsonNode.Parse(response.Body)!["openapi"]!.GetValue<string>());
        Assert.Equal(OpenApiContract.Document.ToJsonString(), JsonNode.Parse(response.Body)!.ToJsonString());
    }

    [Fact]
    public void TheContract_CanFail()
    {
        // Arrange: a generation with a field the description does not have.
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/api/generations/" + Guid.NewGuid();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";

        // Act
        var violations = OpenApiContract.Violations(context, """{"id": "not-checked", "surprise": true}"""u8.ToArray());

        // Assert
        Assert.Contains(violations, v => v.Contains("header ETag is required", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("surprise", StringComparison.Ordinal) || v.Contains("additional", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(violations, v => v.Contains("required", StringComparison.OrdinalIgnoreCase) && !v.Contains("header", StringComparison.Ordinal));
    }
}
