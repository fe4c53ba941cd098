using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Hosting;

/// <summary>The README's way to get a local token (scripts/dev-token.sh) yields one the app accepts.</summary>
public sealed class DevTokenScriptTests
{
    [Fact]
    public async Task DevToken_IsAcceptedByTheAuthenticator_ConfiguredFromTheSampleSettings()
    {
        // Arrange: the sample settings are what a fresh checkout's local.settings.json starts as.
        var sample = LocalSettingsSample.Values();
        var authenticator = new JwtCallerAuthenticator(Options.Create(new AuthOptions
        {
            Mode = AuthMode.Development,
            Issuer = sample["Auth__Issuer"],
            Audience = sample["Auth__Audience"],
            SigningKey = sample["Auth__SigningKey"],
        }), NullLogger<JwtCallerAuthenticator>.Instance);
        var token = await RunScriptAsync("alice");
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + token;

        // Act
        var caller = await authenticator.AuthenticateAsync(context.Request, CancellationToken.None);

        // Assert
        Assert.Equal("alice", caller.UserId);
    }

    private static async Task<string> RunScriptAsync(string user)
    {
        // Read the sample, not a developer's own local.settings.json.
        var result = await ProcessRunner.RunScriptAsync(["scripts", "dev-token.sh"], [user],
            new Dictionary<string, string?> { ["NANOBANANA_SETTINGS"] = Path.Combine(TestSettings.RepositoryRoot, "local.settings.sample.json") });
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Output.Trim();
    }
}
