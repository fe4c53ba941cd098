using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// Creates a fixed number of generations over HTTP and waits until the worker has completed them all;
/// the timings come from the rows (created_at to completed_at). Saturated: as fast as the connections
/// allow. Paced: at a fixed rate, to see the latency of a pipeline that keeps up.
/// </summary>
internal sealed class PipelineDriver(string apiUrl, BenchClient control, string owners, IReadOnlyList<BenchUser> users) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(apiUrl) };

    public async Task<PipelineResult> SaturatedAsync(int count, int connections, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var created = await LoadLoop.RunAsync(connections, timeout, count, (n, ct) => CreateAsync(n, ct));
        return await CompletedAsync(created, started, timeout);
    }

    public async Task<PipelineResult> PacedAsync(double perSecond, TimeSpan duration, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var count = Math.Max(1, (int)(perSecond * duration.TotalSeconds));
        var calls = new List<Task>(count);
        var errors = 0L;
        for (var n = 0; n < count; n++)
        {
            var due = started + (long)(n / perSecond * Stopwatch.Frequency);
            if (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due));
            }

            var number = n;
            calls.Add(Task.Run(async () =>
            {
                try
                {
                    await CreateAsync(number, CancellationToken.None);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }

        await Task.WhenAll(calls);
        return await CompletedAsync(new LoadResult(count - errors, Stopwatch.GetElapsedTime(started).TotalSeconds, 0, 0, errors), started, timeout);
    }

    private async Task CreateAsync(long n, CancellationToken ct)
    {
        var user = users[(int)(n % users.Count)];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generations")
        {
            Content = new StringContent("""{"prompt":"a banana on a conveyor belt"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await _http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    private async Task<PipelineResult> CompletedAsync(LoadResult created, long started, TimeSpan timeout)
    {
        while (true)
        {
            var rows = await control.GenerationsAsync(owners);
            if (rows.Completed >= created.Requests || Stopwatch.GetElapsedTime(started) > timeout)
            {
                return new PipelineResult(created, rows);
            }

            await Task.Delay(200);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The creates as sent, and the rows they made: completed per second over the span from first create to last completion.</summary>
public sealed record PipelineResult(LoadResult Created, PipelineRows Rows)
{
    public double CompletedPerSecond => Rows.SpanSeconds > 0 ? Rows.Completed / Rows.SpanSeconds : 0;
}
