using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

public sealed class LocalSettingsSampleTests
{
    [Fact]
    public async Task TheSampleSettings_StartTheApp_AsTheyAre()
    {
        // Arrange: environment variables named as in the sample (__ nests sections).
        var settings = LocalSettingsSample.Read().ConfigurationValues;

        // Act / Assert: start-up validation passes. Without the hosted services: they would talk to the sample's
        // database and Azurite (run-local.sh's, which a test run does not create), not the tests' own.
        await AppHost.StartAndStopAsync(settings, services => services.RemoveAll<IHostedService>());
        Assert.Equal("Simulated", settings.Single(s => s.Key == "Gemini:Backend").Value);
        Assert.Equal("dotnet-isolated", settings.Single(s => s.Key == "FUNCTIONS_WORKER_RUNTIME").Value);
    }
}
