using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Tests.Reliability;

namespace NanoBanana.Functions.Tests.Maintenance;

/// <summary>
/// verify-database notices an app role that row-level security would not hold. Roles belong to the
/// whole server, not one test database, so these run alone (the collection that restarts the services).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class RoleAttributeVerificationTests
{
    [Theory]
    [InlineData("nanobanana_api")]
    [InlineData("nanobanana_maintenance")]
    public async Task Verify_Fails_WhenAnAppRoleBypassesRowLevelSecurity(string role)
    {
        // Arrange
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(database: db);
        await app.ExecuteSqlAsync($"ALTER ROLE {role} BYPASSRLS");
        try
        {
            // Act
            var report = await app.Services.GetRequiredService<DatabaseVerifier>().VerifyAsync(CancellationToken.None);

            // Assert
            Assert.False(report.Healthy);
            var check = report.Checks.Single(c => c.Name == "role privileges");
            Assert.False(check.Ok);
            Assert.Equal($"{role} has BYPASSRLS (ALTER ROLE {role} NOBYPASSRLS)", check.Detail);
        }
        finally
        {
            await app.ExecuteSqlAsync($"ALTER ROLE {role} NOBYPASSRLS");
        }
    }
}
