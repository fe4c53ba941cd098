using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Gemini;

internal static class GeminiServiceCollectionExtensions
{
    public static IServiceCollection AddGemini(this IServiceCollection services)
    {
        services.AddValidatedOptions<GeminiOptions>(GeminiOptions.Section);
        services.AddSingleton<IGoogleAccessTokenSource, GoogleAccessTokenSource>();
        services.AddSingleton<GeminiEndpoint>();
        services.AddSingleton<SimulatedGeminiClient>();
        services.AddHostedService<UncataloguedModelsWarning>();
        services.AddSingleton<ModelAvailability>();
        services.AddHttpClient(ModelRetirementGuard.HttpClientName);
        services.AddHostedService<ModelRetirementGuard>();

        services.AddHttpClient<GeminiRestClient>(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline times out
            .AddResilienceHandler("gemini", (pipeline, context) =>
                GeminiResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<GeminiOptions>>().Value));

        services.AddTransient<IGeminiClient>(sp =>
            sp.GetRequiredService<IOptions<GeminiOptions>>().Value.Backend == GeminiBackend.Simulated
                ? sp.GetRequiredService<SimulatedGeminiClient>()
                : sp.GetRequiredService<GeminiRestClient>());
        return services;
    }
}
