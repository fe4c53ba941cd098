using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Settings;

/// <summary>
/// How every folder registers its settings. Here, in a folder that depends on nothing of the app, so that each
/// folder's own registration does not reach into Hosting (the composition root, which depends on every folder).
/// </summary>
public static class OptionsRegistration
{
    /// <summary>Binds a section to options, validates data annotations, and fails start-up when they don't hold.</summary>
    internal static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
