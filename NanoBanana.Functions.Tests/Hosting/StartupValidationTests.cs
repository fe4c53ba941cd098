using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Hosting;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>A missing or wrong setting stops the app at start, with a message that names the setting.</summary>
public sealed class StartupValidationTests
{
    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=54329;Database=nanobanana",
        ["AzureWebJobsStorage"] = TestSettings.Storage, // start-up creates the app's queues there
        ["Storage:QueueName"] = "generations",
        ["Auth:Mode"] = "Jwt",
        ["Auth:Issuer"] = "issuer",
        ["Auth:Audience"] = "audience",
        ["Auth:SigningKey"] = "a-signing-key-that-is-long-enough-0123456789",
        ["Gemini:Backend"] = "Simulated",
        ["Maintenance:CleanupSchedule"] = "0 0 2 * * *",
        ["Maintenance:RepairSchedule"] = "0 */5 * * * *",
    };

    [Fact]
    public async Task Start_Fails_WhenAuthAlgorithmsListOnlyHsForJwksKeys_WhichIdentityModelWouldReadAsAny()
    {
        // Arrange
        var settings = ValidSettings();
        settings["Auth:SigningKey"] = null;
        settings["Auth:JwksUri"] = "https://idp.example.com/jwks";
        settings["Auth:Algorithms:0"] = "HS256";
        settings["Auth:Algorithms:1"] = "HS512";

        // Act
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(settings, _ => 0));

        // Assert
        Assert.Contains("Auth__Algorithms", failure.Message);
    }

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
    [InlineData("Processing:LeaseRenewalSeconds", "20", "Processing__LeaseRenewalSeconds")]
    [InlineData("Processing:MaxAttempts", "6", "maxDequeueCount")]
    [InlineData("Gemini:AttemptTimeoutSeconds", "600", "functionTimeout")]
    [InlineData("Gemini:Model", "gemini-2.5-flash-image", "shut down on 2026-10-02 (it answers 404 NOT_FOUND): set gemini-3.1-flash-image")]
    [InlineData("Gemini:AllowedModels:0", "gemini-3-pro-image-preview", "Gemini__AllowedModels__0 names gemini-3-pro-image-preview")]
    [InlineData("Outbox:RetakeAfterSeconds", "5", "Outbox__RetakeAfterSeconds")]
    [InlineData("Economy:WebhookSecret", "not base64 at all!", "Economy__WebhookSecret")]
    [InlineData("Economy:WebhookSecret", "whsec_c2hvcnQ=", "Economy__WebhookSecret")]
    [InlineData("Outbox:SweepSeconds", "0", "SweepSeconds")]
    [InlineData("Maintenance:CleanupSchedule", null, "Maintenance__CleanupSchedule")]
    [InlineData("Maintenance:CleanupSchedule", "every night", "Maintenance__CleanupSchedule")]
    [InlineData("Maintenance:RepairSchedule", "*/5 * * * *", "Maintenance__RepairSchedule")]
    [InlineData("Push:NotificationUrl", "http://app.example/", "Push__NotificationUrl")]
    [InlineData("Push:NotificationUrl", "ftp://app.example/", "Push__NotificationUrl")]
    [InlineData("Push:NotificationUrl", "/demo/", "Push__NotificationUrl")]
    [InlineData("Push:NotificationUrl", "https://app.example/?generation=1", "Push__NotificationUrl")]
    public async Task Start_FailsNamingTheSetting_WhenItIsMissingOrInvalid(string key, string? value, string named)
    {
        // Arrange
        var settings = ValidSettings();
        settings[key] = value;

        // Act
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(settings, _ => 0));

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
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings, _ => 0));

        // Assert
        Assert.Contains(named, failure.Message);
    }

    [Fact]
    public async Task Start_AcceptsAppServiceAuthInAzure_WhenEasyAuthIsOn()
    {
        // Arrange
        var settings = ValidSettings();
        settings["Auth:Mode"] = "AppServiceAuth";
        settings["WEBSITE_INSTANCE_ID"] = "5f3c0d1a";
        settings["WEBSITE_AUTH_ENABLED"] = "True";

        // Act
        var authenticator = await StartAsync(settings, services => services.GetRequiredService<ICallerAuthenticator>());

        // Assert: callers come from Easy Auth's principal header, not from bearer tokens.
        Assert.IsType<AppServiceCallerAuthenticator>(authenticator);
    }

    [Fact]
    public async Task Start_Succeeds_WithEverySettingPresent_AndEveryFunctionCanBeBuilt()
    {
        // Arrange: every class the worker activates per invocation, and the middleware.
        var activated = typeof(ExceptionHandlingMiddleware).Assembly.GetTypes()
            .Where(type => type.GetMethods().Any(method => method.IsDefined(typeof(FunctionAttribute), inherit: false)))
            .Append(typeof(ExceptionHandlingMiddleware))
            .ToList();

        // Act: as the worker builds them, from the started host's services.
        var built = await StartAsync(ValidSettings(), services => activated.Select(type => ActivatorUtilities.CreateInstance(services, type)).ToList());

        // Assert
        Assert.Equal(activated, built.Select(instance => instance.GetType()));
        Assert.Contains(typeof(GenerationFunctions), activated);
        Assert.Contains(typeof(MaintenanceTimers), activated);
    }

    /// <summary>Starts the app as the host would, and hands back what <paramref name="inspect"/> finds in it.</summary>
    private static async Task<T> StartAsync<T>(Dictionary<string, string?> settings, Func<IServiceProvider, T> inspect)
    {
        using var host = AppHost.Build(settings);
        await host.StartAsync();
        var found = inspect(host.Services);
        await host.StopAsync();
        return found;
    }
}
