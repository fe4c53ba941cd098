using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Front;

/// <summary>
/// The host's admin endpoint for running a timer function now (POST /admin/functions/{name}, the
/// maintenance examples of docs/OPERATIONS.md) answers under the front as under func start.
/// </summary>
public sealed class FrontAdminFunctionsTests(FrontFixture fixture) : IClassFixture<FrontFixture>
{
    [Fact]
    public async Task DailyCleanup_RunThroughTheAdminEndpoint_DeletesAnExpiredGeneration()
    {
        // Arrange: a generation older than the retention (30 days).
        var token = TestTokens.For(TestTokens.NewUserId());
        var generation = await fixture.App.Api.CreateGenerationAsync(token);
        await fixture.App.ExecuteSqlAsync("UPDATE generations SET created_at = now() - interval '40 days' WHERE id = @id", ("id", generation.Id));

        // Act: the README's call, body and all.
        using var run = await fixture.Http.PostAsync("/admin/functions/DailyCleanup", JsonContent.Create(new { input = "" }));
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/generations/{generation.Id}");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var after = await fixture.Http.SendAsync(get);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task RepairSweep_RunThroughTheAdminEndpoint_Answers202()
    {
        // Act
        using var run = await fixture.Http.PostAsync("/admin/functions/RepairSweep", JsonContent.Create(new { input = "" }));

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/admin/functions/NoSuchFunction")]
    [InlineData("POST", "/admin/functions/CreateGeneration")]
    public async Task ANameNoTimerFunctionHas_Is404(string method, string path)
    {
        // Act
        using var response = await fixture.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
