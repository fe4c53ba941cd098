using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Telemetry;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;
using OpenTelemetry.Trace;

namespace NanoBanana.Functions.Tests.Telemetry;

/// <summary>
/// With an exporter configured, the app's tracer provider records the Npgsql commands and the outgoing
/// HTTP calls (what a slow generation or poll is made of), against a real Postgres and a real HTTP server.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task WithAnOtlpEndpoint_NpgsqlCommandsAndHttpCalls_AreTraced()
    {
        // Arrange: the app's telemetry registration, plus an in-memory exporter to read what it records.
        var exported = new List<Activity>();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1" })
            .Build();
        var services = new ServiceCollection();
        services.AddNanoBananaTelemetry(configuration);
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported));
        services.AddHttpClient();
        await using var provider = services.BuildServiceProvider();
        var tracer = provider.GetRequiredService<TracerProvider>();

        var (server, baseUrl) = await LoopbackServer.StartAsync(app => app.MapGet("/ping", () => Results.Text("pong")));
        await using var _ = server;
        await using var dataSource = NpgsqlDataSource.Create(await TestDatabase.SharedConnectionStringAsync());

        // Act
        await using (var command = dataSource.CreateCommand("SELECT 1"))
        {
            await command.ExecuteScalarAsync();
        }

        using var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient();
        Assert.Equal("pong", await http.GetStringAsync($"{baseUrl}/ping"));
        tracer.ForceFlush();

        // Assert
        Assert.Contains(exported, a => a.Source.Name == "Npgsql" && a.Kind == ActivityKind.Client);
        Assert.Contains(exported, a => a.Kind == ActivityKind.Client && a.DisplayName.StartsWith("GET", StringComparison.Ordinal)
            && a.Source.Name.Contains("Http", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task WithoutAnExporter_NoTracerProvider_IsRegistered()
    {
        // Arrange
        var services = new ServiceCollection();
        services.AddNanoBananaTelemetry(new ConfigurationBuilder().Build());

        // Act
        await using var provider = services.BuildServiceProvider();

        // Assert: nothing listens, so traces cost nothing where nobody reads them.
        Assert.Null(provider.GetService<TracerProvider>());
    }
}
