using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_WhenEverythingAnswers_IsUp_AndTheDetailsSayEachIsUp()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();

        // Act
        var response = await app.Api.HealthAsync();
        var details = await app.Api.HealthDetailsAsync();

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("""{"status":"up"}""", System.Text.Encoding.UTF8.GetString(response.Body));
        foreach (var check in new[] { "postgres", "queue", "blob" })
        {
            Assert.Equal("up", details.Json.GetProperty("checks").GetProperty(check).GetString());
        }
    }

    [Fact]
    public async Task Health_WhenPostgresIsDown_IsDown_AndOnlyTheFunctionKeyEndpointNamesIt()
    {
        // Arrange: a port nothing listens on.
        await using var app = await FunctionApp.StartAsync(settings =>
            settings["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-password;Timeout=2");

        // Act
        var response = await app.Api.HealthAsync();
        var details = await app.Api.HealthDetailsAsync();

        // Assert: the anonymous answer is the word alone.
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.Equal("""{"status":"down"}""", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, details.Status);
        Assert.Equal(["postgres"], details.Json.GetProperty("down").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("up", details.Json.GetProperty("checks").GetProperty("queue").GetString());
        Assert.DoesNotContain("secret-password", details.ToString());
    }
}
