using System.Reflection;
using System.Text.Json;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>
/// Pins what the Functions host will index: the functions.metadata the worker SDK generates at build.
/// A renamed route, a changed method or a weakened auth level fails here, not in production.
/// </summary>
public sealed class FunctionsMetadataTests
{
    public static TheoryData<string, string, string, string, string> HttpFunctions => new()
    {
        { "CreateGeneration", "httpTrigger", "generations", "post", "Anonymous" },
        { "GetGeneration", "httpTrigger", "generations/{id}", "get", "Anonymous" },
        { "ListGenerations", "httpTrigger", "generations", "get", "Anonymous" },
        { "RetryGeneration", "httpTrigger", "generations/{id}/retry", "post", "Anonymous" },
        { "CancelGeneration", "httpTrigger", "generations/{id}/cancel", "post", "Anonymous" },
        { "DeleteGeneration", "httpTrigger", "generations/{id}", "delete", "Anonymous" },
        { "GetGenerationImage", "httpTrigger", "generations/{id}/image", "get", "Anonymous" },
        { "GenerationEvents", "httpTrigger", "generations/{id}/events", "get", "Anonymous" },
        { "CallerEvents", "httpTrigger", "events", "get", "Anonymous" },
        { "Health", "httpTrigger", "health", "get", "Anonymous" },
        { "GetOpenApiDocument", "httpTrigger", "openapi.json", "get", "Anonymous" },
        { "GetVapidPublicKey", "httpTrigger", "push/vapid-public-key", "get", "Anonymous" },
        { "ListModels", "httpTrigger", "models", "get", "Anonymous" },
        { "SavePushSubscription", "httpTrigger", "push-subscriptions", "post", "Anonymous" },
        { "DeletePushSubscription", "httpTrigger", "push-subscriptions", "delete", "Anonymous" },
        { "CreateUpload", "httpTrigger", "uploads", "post", "Anonymous" },
        { "GetWebhookSecret", "httpTrigger", "webhooks/secret", "get", "Anonymous" },
        { "ListWebhookDeliveries", "httpTrigger", "generations/{id}/webhook-deliveries", "get", "Anonymous" },
        { "RedeliverWebhook", "httpTrigger", "generations/{id}/webhook-deliveries/{n}/redeliver", "post", "Anonymous" },
        { "GeminiWebhook", "httpTrigger", "gemini/webhooks", "post", "Anonymous" },
        { "MaintenanceStats", "httpTrigger", "maintenance/stats", "get", "Function" },
        { "MaintenanceHealth", "httpTrigger", "maintenance/health", "get", "Function" },
        { "MaintenanceVerifyDatabase", "httpTrigger", "maintenance/verify-database", "get", "Function" },
        { "MaintenanceCleanup", "httpTrigger", "maintenance/cleanup", "post", "Admin" },
        { "MaintenanceRepair", "httpTrigger", "maintenance/repair", "post", "Admin" },
    };

    public static TheoryData<string, string> TimerFunctions => new()
    {
        { "DailyCleanup", "%Maintenance:CleanupSchedule%" },
        { "RepairSweep", "%Maintenance:RepairSchedule%" },
        { "NotificationSweep", "%Maintenance:RepairSchedule%" },
        { "EconomySweep", "%Maintenance:RepairSchedule%" },
    };

    [Theory]
    [MemberData(nameof(TimerFunctions))]
    public void TimerFunction_RunsOnTheScheduleFromItsSetting(string name, string schedule)
    {
        var function = Metadata().Single(f => f.GetProperty("name").GetString() == name);

        var binding = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

        Assert.Equal("timerTrigger", binding.GetProperty("type").GetString());
        Assert.Equal(schedule, binding.GetProperty("schedule").GetString());
        Assert.False(binding.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.GetBoolean());
    }

    public static TheoryData<string, string> QueueFunctions => new()
    {
        { "ProcessGeneration", "%Storage:QueueName%" },
        { "FailUndeliverableGeneration", "%Storage:QueueName%-poison" },
        { "NotifyGenerationEnded", "%Storage:QueueName%-notifications" },
        { "RecordUndeliverableNotification", "%Storage:QueueName%-notifications-poison" },
    };

    [Theory]
    [MemberData(nameof(QueueFunctions))]
    public void QueueFunction_ListensOnTheConfiguredQueue_AsAString(string name, string queueName)
    {
        // Arrange
        var function = Metadata().Single(f => f.GetProperty("name").GetString() == name);

        // Act
        var binding = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

        // Assert: the default connection (AzureWebJobsStorage), the queue name from settings.
        Assert.Equal("queueTrigger", binding.GetProperty("type").GetString());
        Assert.Equal(queueName, binding.GetProperty("queueName").GetString());
        Assert.Equal("String", binding.GetProperty("dataType").GetString());
        Assert.False(binding.TryGetProperty("connection", out _));
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void HttpFunction_HasItsRouteMethodAndAuthLevel(string name, string trigger, string route, string method, string authLevel)
    {
        // Arrange
        var function = Metadata().Single(f => f.GetProperty("name").GetString() == name);

        // Act
        var binding = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

        // Assert
        Assert.Equal(trigger, binding.GetProperty("type").GetString());
        Assert.Equal(route, binding.GetProperty("route").GetString());
        Assert.Equal([method], binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(authLevel, binding.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void Metadata_ListsExactlyTheExpectedFunctions()
    {
        // Act
        var names = Metadata().Select(f => f.GetProperty("name").GetString()).Order().ToList();

        // Assert
        Assert.Equal(
            HttpFunctions.Select(row => (string)row[0])
                .Concat(QueueFunctions.Select(row => (string)row[0]))
                .Concat(TimerFunctions.Select(row => (string)row[0]))
                .Order(),
            names);
    }

    internal static IReadOnlyList<JsonElement> Metadata()
    {
        var path = Path.Combine(FunctionsOutput.Directory, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build NanoBanana.Functions first.");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().ToList();
    }
}

internal static class FunctionsOutput
{
    public static string Directory { get; } = typeof(FunctionsOutput).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsOutputDir").Value!;
}
