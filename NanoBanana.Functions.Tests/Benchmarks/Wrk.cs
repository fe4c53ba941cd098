using System.Diagnostics;
using System.Text.Json;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// HTTP load from outside the front's process with wrk (Debian's package): closed loop, a fixed number
/// of connections for a fixed time, latency percentiles from wrk's own histogram. Each request comes
/// from a targets file through requests.lua, so every connection calls as many users as it can.
/// </summary>
internal sealed class Wrk(string baseUrl, int threads, int connections, TimeSpan duration)
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Benchmarks", "requests.lua");

    /// <summary>Throws when wrk is missing, with how to install it.</summary>
    public static void EnsureInstalled()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("wrk", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            probe.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("wrk is not installed: apt-get install wrk (scripts/bench.sh and .ci/run install it).", exception);
        }
    }

    /// <param name="targets">One request per entry; see requests.lua.</param>
    /// <param name="idempotencyRun">When set, every request gets an Idempotency-Key of its own starting with it.</param>
    public async Task<LoadResult> RunAsync(IEnumerable<WrkTarget> targets, string? idempotencyRun = null)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, targets.Select(t => string.Join('\t', t.Method, t.Path, t.Token ?? "", t.IfNoneMatch ?? "", t.Body ?? "")));
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])[
                         "-t", threads.ToString(), "-c", connections.ToString(), "-d", $"{Math.Max(1, (int)duration.TotalSeconds)}s",
                         "--timeout", "10s", "-s", Script, baseUrl, "--", file, .. idempotencyRun is null ? [] : new[] { idempotencyRun }])
            {
                start.ArgumentList.Add(argument);
            }

            using var wrk = Process.Start(start)!;
            var output = wrk.StandardOutput.ReadToEndAsync();
            var errors = wrk.StandardError.ReadToEndAsync();
            await wrk.WaitForExitAsync();
            var summary = (await output).Split('\n').LastOrDefault(l => l.StartsWith('{'))
                          ?? throw new InvalidOperationException($"wrk printed no summary (exit {wrk.ExitCode}): {await output}{await errors}");
            var run = JsonSerializer.Deserialize<WrkSummary>(summary, JsonSerializerOptions.Web)!;
            return new LoadResult(run.Requests, run.DurationUs / 1e6, run.P50Us / 1000.0, run.P99Us / 1000.0,
                run.ConnectErrors + run.ReadErrors + run.WriteErrors + run.StatusErrors + run.Timeouts);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed record WrkSummary(
        long Requests, long DurationUs, long ConnectErrors, long ReadErrors, long WriteErrors, long StatusErrors, long Timeouts, long P50Us, long P99Us);
}

/// <summary>One request of a load: method and path (with query), and optionally a bearer token, an If-None-Match and a JSON body.</summary>
internal sealed record WrkTarget(string Method, string Path, string? Token = null, string? IfNoneMatch = null, string? Body = null);
