using System.Diagnostics;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>Restarts and stops the real local services through scripts/services.sh, as fault injection.</summary>
internal static class Services
{
    public static async Task RunAsync(params string[] arguments)
    {
        if (Environment.GetEnvironmentVariable("NANOBANANA_TEST_POSTGRES") is not null)
        {
            throw new InvalidOperationException("Fault injection restarts the services started by scripts/services.sh; it cannot restart an external server.");
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestSettings.RepositoryRoot, "scripts", "services.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"services.sh {string.Join(' ', arguments)} failed: {await stderr}");
        }
    }
}
