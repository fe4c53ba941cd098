using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Auth;

internal static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services, IConfiguration environment)
    {
        services.AddValidatedOptions<AuthOptions>(AuthOptions.Section)
            .Validate(
                auth => auth.Mode != AuthMode.Development || !AzureEnvironment.IsAzure(environment),
                "Auth__Mode=Development is for local runs and refuses to start in Azure: set Auth__Mode to Jwt or AppServiceAuth.")
            .Validate(
                auth => auth.Mode != AuthMode.AppServiceAuth || !AzureEnvironment.IsAzure(environment) || AzureEnvironment.EasyAuthEnabled(environment),
                "Auth__Mode=AppServiceAuth needs App Service Authentication turned on for this app (WEBSITE_AUTH_ENABLED=True); without it anyone could send the principal headers.");
        services.AddSingleton<JwtCallerAuthenticator>();
        services.AddSingleton<AppServiceCallerAuthenticator>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ValidatedTokenCache>(sp, sp.GetRequiredService<JwtCallerAuthenticator>()));
        services.AddSingleton<ICallerAuthenticator>(sp =>
            sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.AppServiceAuth
                ? sp.GetRequiredService<AppServiceCallerAuthenticator>()
                : sp.GetRequiredService<ValidatedTokenCache>());
        return services;
    }
}
