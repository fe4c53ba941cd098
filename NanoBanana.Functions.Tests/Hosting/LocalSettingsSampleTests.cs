using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using NanoBanana.Functions.Hosting;

namespace NanoBanana.Functions.Tests.Hosting;

public sealed class LocalSettingsSampleTests
{
    [Fact]
    public async Task TheSampleSettings_StartTheApp_AsTheyAre()
    {
        // Arrange: environment variables named as in the sample (__ nests sections).
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(LocalSettingsSample.Read().ConfigurationValues);
        builder.Services.AddNanoBanana(builder.Configuration);
        using var host = builder.Build();

        // Act
        await host.StartAsync();

        // Assert
        Assert.Equal("Simulated", builder.Configuration["Gemini:Backend"]);
        Assert.Equal("dotnet-isolated", builder.Configuration["FUNCTIONS_WORKER_RUNTIME"]);
        await host.StopAsync();
    }
}
