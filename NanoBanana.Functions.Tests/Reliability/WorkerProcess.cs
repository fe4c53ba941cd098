using System.Diagnostics;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>A worker running in a process of its own, which a test can SIGKILL like a crashed instance.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <param name="command">What the process runs (<see cref="Program"/>): the queue worker, or <c>economy-host</c>.</param>
    public static async Task<WorkerProcess> StartAsync(string settingsPath, string command = "worker-host")
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(settingsPath);
        var process = Process.Start(start)!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (ready != "worker ready")
        {
            process.Kill();
            throw new InvalidOperationException($"worker process did not start: {ready}\n{await process.StandardError.ReadToEndAsync()}");
        }

        _ = process.StandardOutput.ReadToEndAsync(); // keep the pipe drained
        _ = process.StandardError.ReadToEndAsync();
        return new WorkerProcess(process);
    }

    /// <summary>
    /// SIGTERM, as the platform stops a host (drain, scale-in, deploy): the worker's invocation tokens
    /// fire, its functions hand their claims back and end, then the process exits.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync(); // as the platform does once its grace period is over
        }
    }

    /// <summary>SIGKILL: no finally blocks, no claim released, no message settled.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
