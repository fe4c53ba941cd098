using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// The app behind the test HTTP front in a process of its own (<c>front --bench</c>, from this same
/// assembly), so the load generator and the benchmark's bookkeeping do not share its runtime.
/// Stopped with SIGTERM, which makes it drop its database, queue and container.
/// </summary>
internal sealed partial class FrontProcess : IAsyncDisposable
{
    private readonly Process _process;

    private FrontProcess(Process process, string apiUrl, string controlUrl)
    {
        _process = process;
        ApiUrl = apiUrl;
        ControlUrl = controlUrl;
    }

    public string ApiUrl { get; }

    public string ControlUrl { get; }

    public int Id => _process.Id;

    public static async Task<FrontProcess> StartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = false };
        foreach (var argument in (string[])[typeof(FrontProcess).Assembly.Location, "front", "--bench"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ReadyLine().Match(line) is { Success: true } ready)
            {
                _ = process.StandardOutput.ReadToEndAsync(); // keep the pipe drained
                return new FrontProcess(process, ready.Groups["api"].Value, ready.Groups["control"].Value);
            }
        }

        throw new InvalidOperationException($"The front exited ({(process.HasExited ? process.ExitCode : "running")}) before it was ready.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, Sigterm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex("^front ready api=(?<api>\\S+) control=(?<control>\\S+)")]
    private static partial Regex ReadyLine();
}
