using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace NanoBanana.Functions.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The worker's own activity source: one span per function invocation.</summary>
    public const string FunctionsWorkerSource = "Microsoft.Azure.Functions.Worker";

    /// <summary>
    /// Metrics always exist (cheap when nobody listens); they leave the process through OpenTelemetry
    /// only when an exporter is configured: Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING)
    /// and/or any OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT). Traces go the same way: a span per function
    /// invocation, with the Npgsql commands and outgoing HTTP calls (Gemini, Blob Storage, webhooks, push)
    /// it made as children, so one slow poll or generation can be followed to the statement or call.
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
            .WithMetrics(metrics => metrics.AddMeter(GenerationMetrics.MeterName).AddNpgsqlInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(FunctionsWorkerSource)
                .AddNpgsql()
                .AddHttpClientInstrumentation());
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
