using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Economy;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Economy;

/// <summary>
/// Asking for the economy lane (issue 26 item 1): speed and maxWaitHours on create, checked with stable codes;
/// an economy generation is pending in lane economy with its promise, at the batch price, and never queued.
/// </summary>
public sealed class EconomyCreateTests : IAsyncLifetime
{
    private EconomyRig _rig = null!;

    public async Task InitializeAsync() => _rig = await EconomyRig.StartAsync(settings =>
    {
        settings["Economy:DefaultMaxWaitHours"] = "24";
        settings["Economy:MaxWaitHours"] = "36";
    });

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task AnEconomyCreate_IsPendingInTheEconomyLane_WithItsPromise_AtHalfPrice_AndNotQueued()
    {
        // Arrange
        var token = TestTokens.For(TestTokens.NewUserId());
        var now = _rig.Clock.GetUtcNow();

        // Act
        var economy = await _rig.CreateAsync(token, maxWaitHours: 6);
        var defaulted = await _rig.CreateAsync(token);
        var standard = await _rig.App.Api.CreateGenerationAsync(token);

        // Assert
        Assert.Equal(("pending", "economy", (DateTimeOffset?)now.AddHours(6), (PromotionResponse?)null), (economy.Status, economy.Lane, economy.PromisedBy, economy.Promoted));
        Assert.Equal(now.AddHours(24), defaulted.PromisedBy);
        Assert.Equal(0.0335m, economy.EstimatedCostUsd); // 1K on 3.1 Flash: $0.067 at the standard tier
        Assert.Equal(0.067m, standard.EstimatedCostUsd);
        Assert.Null(economy.Queue);
        Assert.Equal((60, 10), (economy.PollAfterSeconds, standard.PollAfterSeconds)); // Economy__PollSeconds, Api__PollAfterSeconds
        Assert.Equal(("standard", (DateTimeOffset?)null), (standard.Lane, standard.PromisedBy));
        Assert.Equal([standard.Id.ToString("D")], await _rig.QueuedAsync());
        Assert.Equal(["queued"], await _rig.EventKindsAsync(economy.Id));
    }

    [Fact]
    public async Task AnEconomyGeneration_IsNeverClaimedByTheWorker_NorResentByTheRepair()
    {
        // Arrange: a stray message for it, and a repair run long after.
        var token = TestTokens.For(TestTokens.NewUserId());
        var economy = await _rig.CreateAsync(token);

        // Act
        var delivery = await _rig.App.DeliverAsync(economy.Id);
        _rig.Clock.Advance(TimeSpan.FromHours(1));
        await _rig.App.Function<NanoBanana.Functions.Maintenance.MaintenanceTimers>().RepairSweep(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        // Assert
        Assert.Null(delivery);
        Assert.Equal(("pending", 0, (string?)null), await _rig.App.RowAsync(economy.Id));
        Assert.Empty(await _rig.QueuedAsync());
        Assert.Empty(_rig.Gemini.Requests);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { """{"prompt":"p","speed":"fast"}""", ProblemCodes.InvalidSpeed },
        { """{"prompt":"p","speed":"economy","maxWaitHours":37}""", ProblemCodes.InvalidMaxWait },
        { """{"prompt":"p","speed":"economy","maxWaitHours":0}""", ProblemCodes.InvalidMaxWait },
        { """{"prompt":"p","maxWaitHours":5}""", ProblemCodes.InvalidMaxWait },
        { """{"prompt":"p","speed":"standard","maxWaitHours":5}""", ProblemCodes.InvalidMaxWait },
        { $$"""{"prompt":"p","speed":"economy","images":[{"mimeType":"image/png","data":"{{Convert.ToBase64String(TestImages.Png)}}"}]}""", ProblemCodes.EconomyImagesUnsupported },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ABadLaneRequest_Is400WithItsCode_AndNothingIsStored(string body, string code)
    {
        // Arrange
        var owner = TestTokens.NewUserId();

        // Act
        var response = await _rig.App.Api.CreateRawAsync(TestTokens.For(owner), body);

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Contains(code, response.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()));
        Assert.Equal(0, await _rig.App.CountRowsAsync(owner));
    }

    [Fact]
    public async Task Economy_RunsOnTheServersKey_NotAPersonalOne()
    {
        // Arrange
        var owner = TestTokens.NewUserId();

        // Act
        var response = await _rig.App.Api.CreateAsync(TestTokens.For(owner), new { prompt = "p", speed = "economy" },
            new Dictionary<string, string> { ["X-Gemini-Api-Key"] = TestSecrets.UserGeminiKey });

        // Assert
        Assert.Equal((StatusCodes.Status400BadRequest, ProblemCodes.EconomyPersonalKey), (response.Status, response.ProblemCode));
        Assert.Equal(0, await _rig.App.CountRowsAsync(owner));
    }

    [Fact]
    public async Task Models_SayWhichSupportEconomy_AndAtWhatPrice()
    {
        // Act
        var models = (await _rig.App.Api.ModelsAsync(TestTokens.For(TestTokens.NewUserId()))).Read<ModelsResponse>();

        // Assert
        var flash = models.Models.Single(m => m.Id == EconomyRig.Model);
        Assert.True(flash.Economy);
        Assert.Equal(0.0335m, flash.EconomyPriceUsdPerImage!["1K"]);
    }

    [Fact]
    public void TheDefaultPromise_MustBeOneACreateMayAskFor()
    {
        // Arrange
        var options = new EconomyOptions { DefaultMaxWaitHours = 30, MaxWaitHours = 24 };

        // Act
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        // Assert
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Economy__DefaultMaxWaitHours", StringComparison.Ordinal));
    }
}

/// <summary>Without the Developer API (here the simulated backend) there is no economy lane, and the API says so.</summary>
public sealed class EconomyUnavailableTests
{
    [Fact]
    public async Task WithoutTheDeveloperApi_EconomyIsRefused_AndModelsSayNo()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();
        var owner = TestTokens.NewUserId();

        // Act
        var created = await app.Api.CreateAsync(TestTokens.For(owner), new { prompt = "p", speed = "economy" });
        var models = (await app.Api.ModelsAsync(TestTokens.For(owner))).Read<ModelsResponse>();

        // Assert
        Assert.Equal(StatusCodes.Status400BadRequest, created.Status);
        Assert.Equal(ProblemCodes.EconomyUnavailable, created.Json.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.All(models.Models, m => Assert.False(m.Economy));
        Assert.Equal(0, await app.CountRowsAsync(owner));
    }
}
