using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NanoBanana.Functions.Telemetry;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Processing;

public sealed class MetricsTests
{
    [Fact]
    public async Task ThePipeline_RecordsCreatedCompletedFailedDurationLatencyAndQueueAge()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var meterFactory = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var created = new MetricCollector<long>(meterFactory, GenerationMetrics.MeterName, "nanobanana.generations.created");
        using var completed = new MetricCollector<long>(meterFactory, GenerationMetrics.MeterName, "nanobanana.generations.completed");
        using var failed = new MetricCollector<long>(meterFactory, GenerationMetrics.MeterName, "nanobanana.generations.failed");
        using var duration = new MetricCollector<double>(meterFactory, GenerationMetrics.MeterName, "nanobanana.generation.duration");
        using var latency = new MetricCollector<double>(meterFactory, GenerationMetrics.MeterName, "nanobanana.gemini.latency");
        using var queueAge = new MetricCollector<double>(meterFactory, GenerationMetrics.MeterName, "nanobanana.queue.age_at_claim");
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var good = await app.Api.CreateGenerationAsync(token, "a banana");
        var bad = await app.Api.CreateGenerationAsync(token, "a banana [simulate:IMAGE_SAFETY]");
        await app.DeliverUntilSettledAsync(good.Id);
        await app.DeliverUntilSettledAsync(bad.Id);

        // Assert
        Assert.Equal(2, created.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, completed.GetMeasurementSnapshot().EvaluateAsCounter());
        var failure = Assert.Single(failed.GetMeasurementSnapshot());
        Assert.Equal("IMAGE_SAFETY", failure.Tags["error.code"]);
        Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(["ok", "IMAGE_SAFETY"], latency.GetMeasurementSnapshot().Select(m => m.Tags["outcome"]));
        Assert.Equal(2, queueAge.GetMeasurementSnapshot().Count);
    }
}
