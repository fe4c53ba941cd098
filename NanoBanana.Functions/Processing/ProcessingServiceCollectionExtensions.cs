using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Processing;

internal static class ProcessingServiceCollectionExtensions
{
    public static IServiceCollection AddProcessing(this IServiceCollection services)
    {
        services.AddValidatedOptions<ProcessingOptions>(ProcessingOptions.Section);
        services.AddSingleton<IValidateOptions<ProcessingOptions>, AgreesWithHostJson>();
        services.AddSingleton(sp => new RunLimits(
            sp.GetRequiredService<IOptions<ProcessingOptions>>().Value.MaxAttempts,
            sp.GetRequiredService<IOptions<GeminiOptions>>().Value.MaxCallsPerRun));
        services.AddSingleton<ClaimHeartbeats>();
        services.AddSingleton<ClaimHandback>();
        services.AddSingleton<DraftKeeper>();
        services.AddSingleton<LivenessSession>();
        services.AddSingleton<NotLiveDeferrals>();
        services.AddHostedService(sp => sp.GetRequiredService<LivenessSession>());
        services.AddTransient<GenerationProcessor>();
        return services;
    }

    /// <summary>At start: the host must let the longest call finish, and must not give up on a message before the worker does.</summary>
    private sealed class AgreesWithHostJson(IOptions<GeminiOptions> gemini) : IValidateOptions<ProcessingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProcessingOptions options) =>
            HostJson.Load(AppContext.BaseDirectory)?.Disagreement(gemini.Value.LongestCall, options.MaxAttempts) is { } problem
                ? ValidateOptionsResult.Fail(problem)
                : ValidateOptionsResult.Success;
    }
}
