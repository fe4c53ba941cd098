using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Api;

internal static class ApiServiceCollectionExtensions
{
    public static IServiceCollection AddGenerationApi(this IServiceCollection services)
    {
        services.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        services.AddSingleton<CreateGenerationValidator>();
        services.AddSingleton<GenerationResults>();
        services.AddSingleton<GenerationService>();
        return services;
    }
}
