using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Hosting;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>A missing or wrong setting stops the app at start, with a message that names the setting.</summary>
public sealed class StartupValidationTests
{
    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=54329;Database=nanobanana",
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Storage:QueueName"] = "generations",
        ["Auth:Mode"] = "Jwt",
        ["Auth:Issuer"] = "issuer",
        ["Auth:Audience"] = "audience",
        ["Auth:SigningKey"] = "a-signing-key-that-is-long-enough-0123456789",
        ["Gemini:Backend"] = "Simulated",
        ["Maintenance:CleanupSchedule"] = "0 0 2 * * *",
        ["Maintenance:RepairSchedule"] = "0 */5 * * * *",
    };

    [Theory]
    [InlineData("Postgres:ConnectionString", null, "Postgres__ConnectionString")]
    [InlineData("AzureWebJobsStorage", null, "AzureWebJobsStorage")]
    [InlineData("Storage:QueueName", null, "Storage__QueueName")]
    [InlineData("Storage:QueueName", "Generations_Queue", "Storage__QueueName")]
    [InlineData("Auth:SigningKey", null, "Auth__SigningKey")]
    [InlineData("Auth:SigningKey", "short", "Auth__SigningKey")]
    [InlineData("Auth:Issuer", null, "Auth__Issuer")]
    [InlineData("Auth:Mode", null, "Auth__Mode")]
    [InlineData("Auth:Authority", "https://login.example.com", "Set only one of Auth__SigningKey")]
    [InlineData("Gemini:Backend", null, "Gemini__Backend")]
    [InlineData("Gemini:Backend", "Vertex", "Gemini__VertexProjectId")]
    [InlineData("Processing:LeaseSeconds", "60", "Processing__LeaseSeconds")]
    [InlineData("Maintenance:CleanupSchedule", null, "Maintenance__CleanupSchedule")]
    [InlineData("Maintenance:CleanupSchedule", "every night", "Maintenance__CleanupSchedule")]
    [InlineData("Maintenance:RepairSchedule", "*/5 * * * *", "Maintenance__RepairSchedule")]
    public async Task Start_FailsNamingTheSetting_WhenItIsMissingOrInvalid(string key, string? value, string named)
    {
        // Arrange
        var settings = ValidSettings();
        settings[key] = value;
        using var host = AppHost.Build(settings);

        // Act
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        // Assert: one or more validation failures (an invalid section can fail a dependent one too).
        var failures = failure is AggregateException all ? all.InnerExceptions : [failure];
        Assert.All(failures, f => Assert.IsType<OptionsValidationException>(f));
        Assert.Contains(failures, f => f.Message.Contains(named));
    }

    [Theory]
    [InlineData("Development", null, "Auth__Mode=Development is for local runs")]
    [InlineData("AppServiceAuth", null, "WEBSITE_AUTH_ENABLED=True")]
    public async Task Start_RefusesAuthThatIsOnlySafeLocally_WhenRunningInAzure(string mode, string? easyAuth, string named)
    {
        // Arrange: WEBSITE_INSTANCE_ID is what the platform sets on every Azure instance.
        var settings = ValidSettings();
        settings["Auth:Mode"] = mode;
        settings["WEBSITE_INSTANCE_ID"] = "5f3c0d1a";
        settings["WEBSITE_AUTH_ENABLED"] = easyAuth;

        // Act
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings));

        // Assert
        Assert.Contains(named, failure.Message);
    }

    [Fact]
    public async Task Start_AcceptsAppServiceAuthInAzure_WhenEasyAuthIsOn()
    {
        var settings = ValidSettings();
        settings["Auth:Mode"] = "AppServiceAuth";
        settings["WEBSITE_INSTANCE_ID"] = "5f3c0d1a";
        settings["WEBSITE_AUTH_ENABLED"] = "True";

        await StartAsync(settings);
    }

    private static Task StartAsync(Dictionary<string, string?> settings) => AppHost.StartAndStopAsync(settings);

    [Fact]
    public async Task Start_Succeeds_WithEverySettingPresent()
    {
        // Arrange
        using var host = AppHost.Build(ValidSettings());

        // Act
        await host.StartAsync();

        // Assert
        Assert.NotNull(host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>());
        await host.StopAsync();
    }
}
