using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Uploads;

internal static class UploadServiceCollectionExtensions
{
    public static IServiceCollection AddUploads(this IServiceCollection services)
    {
        services.AddValidatedOptions<UploadOptions>(UploadOptions.Section);
        services.AddSingleton<UploadStore>();
        services.AddSingleton<UploadSas>();
        services.AddSingleton<UploadReferences>();
        services.AddSingleton<UploadedInputs>();
        services.AddSingleton<UploadCleanup>();
        services.AddHostedService<UploadProvisioner>();
        return services;
    }
}
