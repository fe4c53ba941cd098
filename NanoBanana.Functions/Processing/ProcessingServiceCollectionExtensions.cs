using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Processing;

internal static class ProcessingServiceCollectionExtensions
{
    // Room between Gemini's budget and the lease for storing images and writing the result.
    private const int LeaseMarginSeconds = 10;

    public static IServiceCollection AddProcessing(this IServiceCollection services)
    {
        services.AddValidatedOptions<ProcessingOptions>(ProcessingOptions.Section)
            .Validate<IOptions<GeminiOptions>>(
                (processing, gemini) => processing.LeaseSeconds >= gemini.Value.TotalTimeoutSeconds + LeaseMarginSeconds,
                $"Processing__LeaseSeconds must exceed Gemini__TotalTimeoutSeconds by at least {LeaseMarginSeconds} s, or a live call could lose its claim.");
        services.AddTransient<GenerationProcessor>();
        return services;
    }
}
