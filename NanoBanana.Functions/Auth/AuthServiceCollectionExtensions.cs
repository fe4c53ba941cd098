using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Auth;

internal static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services)
    {
        services.AddValidatedOptions<AuthOptions>(AuthOptions.Section);
        services.AddSingleton<ICallerAuthenticator, JwtCallerAuthenticator>();
        return services;
    }
}
