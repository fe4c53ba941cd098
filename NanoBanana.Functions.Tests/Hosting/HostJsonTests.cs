using System.Text.Json;

using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>Pins the host.json settings the code depends on, as the host will read them from the build output.</summary>
public sealed class HostJsonTests
{
    private static readonly JsonElement Host = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsOutput.Directory, "host.json"))).RootElement;

    [Fact]
    public void HostJson_IsVersion2_AndCopiedToTheBuildOutput()
    {
        Assert.Equal("2.0", Host.GetProperty("version").GetString());
    }

    [Fact]
    public void Queues_DecodeBase64_WhichIsWhatTheApiSends()
    {
        Assert.Equal("base64", Host.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void Queues_GiveUpLaterThanTheWorker_SoAGenerationFailsWithItsOwnReasonFirst()
    {
        var queues = Host.GetProperty("extensions").GetProperty("queues");
        Assert.True(queues.GetProperty("maxDequeueCount").GetInt32() > new NanoBanana.Functions.Processing.ProcessingOptions().MaxAttempts);
    }

    [Fact]
    public void FunctionTimeout_OutlastsTheLongestGeminiCall_AndTheQueueOutlastsTheWorkersAttempts()
    {
        // Arrange: the defaults, against the host.json the build ships.
        var host = NanoBanana.Functions.Settings.HostJson.Load(FunctionsOutput.Directory)!;
        var gemini = new NanoBanana.Functions.Gemini.GeminiOptions { Backend = NanoBanana.Functions.Gemini.GeminiBackend.Developer };

        // Act
        var disagreement = host.Disagreement(gemini.LongestCall, new NanoBanana.Functions.Processing.ProcessingOptions().MaxAttempts);

        // Assert
        Assert.Null(disagreement);
    }

    [Theory]
    [InlineData("00:05:00", 6, "functionTimeout")]
    [InlineData("00:10:00", 5, "maxDequeueCount")]
    public void AHostJsonThatWouldCutACallOff_OrGiveUpFirst_IsNamed(string functionTimeout, int maxDequeueCount, string named)
    {
        // Arrange: the longest default call is the pro model's 300 s plus 3 retry waits of 10 s.
        var host = new NanoBanana.Functions.Settings.HostJson(TimeSpan.Parse(functionTimeout, System.Globalization.CultureInfo.InvariantCulture), maxDequeueCount);

        // Act
        var disagreement = host.Disagreement(new NanoBanana.Functions.Gemini.GeminiOptions().LongestCall, maxAttempts: 5);

        // Assert
        Assert.Contains(named, disagreement);
    }

    /// <summary>
    /// Found by the reliability suite: a worker that releases a claim after transient trouble bumps
    /// enqueued_at and leaves the redelivery to the queue (after visibilityTimeout). If the repair
    /// sweep's resend threshold were shorter, it would send a second message for every such generation.
    /// </summary>
    [Fact]
    public void TheResendThreshold_OutlastsTheQueuesRedeliveryDelay()
    {
        var visibility = TimeSpan.Parse(Host.GetProperty("extensions").GetProperty("queues").GetProperty("visibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var resend = new NanoBanana.Functions.Maintenance.MaintenanceOptions().ResendPendingAfter;

        Assert.True(resend > visibility, $"resend after {resend} <= visibilityTimeout {visibility}");
        Assert.True(Reliability.RigTiming.Shrunk.ResendPendingAfter > visibility);
    }

    [Fact]
    public void Http_RoutePrefix_IsApi_AsTheLocationHeadersAssume()
    {
        Assert.Equal("api", Host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("/api", NanoBanana.Functions.Api.ApiRoutes.Prefix);
    }
}
