using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_WhenEverythingAnswers_Is200()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync();

        // Act
        var response = await app.Api.HealthAsync();

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("healthy", response.Json.GetProperty("status").GetString());
        foreach (var check in new[] { "postgres", "queue", "blob" })
        {
            Assert.Equal("up", response.Json.GetProperty("checks").GetProperty(check).GetString());
        }
    }

    [Fact]
    public async Task Health_WhenPostgresIsDown_Is503NamingIt()
    {
        // Arrange: a port nothing listens on.
        await using var app = await FunctionApp.StartAsync(settings =>
            settings["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-password;Timeout=2");

        // Act
        var response = await app.Api.HealthAsync();

        // Assert
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.Equal(["postgres"], response.Json.GetProperty("down").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("up", response.Json.GetProperty("checks").GetProperty("queue").GetString());
        Assert.DoesNotContain("secret-password", response.ToString());
    }
}
