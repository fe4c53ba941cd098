using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace NanoBanana.Functions.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Metrics always exist (cheap when nobody listens); they leave the process through OpenTelemetry
    /// only when an exporter is configured: Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING)
    /// and/or any OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT).
    /// </summary>
    public static IServiceCollection AddNanoBananaTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<GenerationMetrics>();

        var appInsights = !string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!appInsights && !otlp)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(GenerationMetrics.MeterName));
        if (appInsights)
        {
            telemetry.UseAzureMonitorExporter();
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }
}
