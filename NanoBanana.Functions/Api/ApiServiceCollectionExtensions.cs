using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Settings;
using NanoBanana.Functions.Secrets;

namespace NanoBanana.Functions.Api;

internal static class ApiServiceCollectionExtensions
{
    public static IServiceCollection AddGenerationApi(this IServiceCollection services)
    {
        services.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, WorkerBodyLimit>();
        services.AddSingleton<CreateGenerationValidator>();
        services.AddSingleton<RetryModelChoice>();
        services.AddSingleton<GenerationResults>();
        services.AddSingleton<LongPollSlots>();
        services.AddSingleton<ProblemMapper>();
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Section);
        services.AddValidatedOptions<SecretsOptions>(SecretsOptions.Section);
        services.AddSingleton<ApiKeyProtector>();
        services.AddSingleton<PersonalGeminiKeys>();
        services.AddSingleton<GenerationService>();
        services.AddValidatedOptions<QueueEstimateOptions>(QueueEstimateOptions.Section);
        services.AddSingleton<QueueEstimator>();
        services.AddSingleton<GenerationWaiter>();
        services.AddValidatedOptions<EventStreamOptions>(EventStreamOptions.Section);
        services.AddSingleton<NanoBanana.Functions.Data.EventLogStore>();
        services.AddSingleton<ChangedSinceResults>();
        return services;
    }
}
