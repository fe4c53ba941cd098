using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Economy;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Health;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Notifications;
using NanoBanana.Functions.Outbox;
using NanoBanana.Functions.Processing;
using NanoBanana.Functions.Realtime;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Telemetry;
using NanoBanana.Functions.Uploads;

namespace NanoBanana.Functions.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the function app needs; Program.cs and the tests share this one wiring.</summary>
    public static IServiceCollection AddNanoBanana(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddNanoBananaTelemetry(configuration);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));

        services.AddPostgres();
        services.AddRealtime();
        services.AddStorage(configuration);
        services.AddQueueOutbox();
        services.AddUploads();
        services.AddCallerAuthentication(configuration);
        services.AddGenerationApi();
        services.AddGemini();
        services.AddProcessing();
        services.AddEconomy();
        services.AddMaintenance();
        services.AddNotifications(configuration);
        services.AddNanoBananaHealthChecks();
        return services;
    }
}
