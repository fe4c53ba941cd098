using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Health;
using NanoBanana.Functions.Telemetry;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Gemini;

/// <summary>The guard against the next retirement, against a fake Gemini that 404s a model as Google does once it retires it.</summary>
public sealed class ModelRetirementGuardTests : IAsyncLifetime
{
    private FakeGemini _gemini = null!;

    public async Task InitializeAsync()
    {
        _gemini = await FakeGemini.StartAsync();
        _gemini.RetiredModels["gemini-3-pro-image"] = true;
    }

    public async Task DisposeAsync() => await _gemini.DisposeAsync();

    [Fact]
    public async Task AtStart_AModelThatAnswers404_TurnsHealthDegraded_NamingItAndWhatToSet()
    {
        // Arrange
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini, settings => settings["Gemini:RetirementCheckHours"] = "6");

        // Act: the check runs in the background after start.
        await app.Logs.WaitForAsync(l => l.Level == LogLevel.Error && l.Message.Contains("gemini-3-pro-image answers 404 NOT_FOUND"));
        var response = await app.Api.HealthAsync();
        var details = await app.Api.HealthDetailsAsync();

        // Assert: the anonymous answer says degraded, the function-key one says why.
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("degraded", response.Read<HealthResponse>().Status);
        Assert.Equal(StatusCodes.Status200OK, details.Status);
        var health = details.Read<HealthDetails>();
        Assert.Equal("degraded", health.Status);
        var retired = Assert.Single(health.RetiredModels);
        Assert.Equal("gemini-3-pro-image", retired.Model);
        Assert.Contains("Gemini__AllowedModels", retired.Action);
        Assert.Equal(["/v1beta/models/gemini-3.1-flash-image", "/v1beta/models/gemini-3-pro-image"], _gemini.ModelLookups.Select(r => r.PathAndQuery).Order().Reverse());
        Assert.Empty(_gemini.Requests); // no paid call to find out
    }

    [Fact]
    public async Task EachCheckAndEachGenerationThatMeets404_CountsTheMetric_ButTheErrorIsLoggedOnce()
    {
        // Arrange: the background check off, so the test runs it.
        await using var app = await FunctionApp.StartWithGeminiAsync(_gemini);
        var meters = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var notFound = new MetricCollector<long>(meters, GenerationMetrics.MeterName, "nanobanana.gemini.model_not_found");
        var guard = app.Services.GetServices<IHostedService>().OfType<ModelRetirementGuard>().Single();
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        await guard.CheckAllAsync(CancellationToken.None);
        await guard.CheckAllAsync(CancellationToken.None);
        var created = await app.Api.CreateAsync(token, new { prompt = "p", model = "gemini-3-pro-image" });
        await app.DeliverUntilSettledAsync(created.Generation.Id);

        // Assert
        Assert.Equal(["guard", "guard", "generation"], notFound.GetMeasurementSnapshot().Select(m => (string)m.Tags["source"]!));
        Assert.Single(app.Logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("answers 404 NOT_FOUND"));
        Assert.Equal("MODEL_NOT_FOUND", (await app.RowAsync(created.Generation.Id)).ErrorCode);
        Assert.Equal("degraded", (await app.Api.HealthAsync()).Read<HealthResponse>().Status);
    }
}
