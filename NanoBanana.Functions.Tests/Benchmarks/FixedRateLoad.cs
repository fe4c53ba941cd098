using System.Diagnostics;
using System.Net.Http.Headers;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// An open-loop load, wrk2's way (Debian has no wrk2): requests go out on a fixed schedule whatever
/// the answers do, and each one's latency runs from when it was due, not from when it was sent, so a
/// server that stalls is charged for every request it delayed (no coordinated omission). wrk's closed
/// loop slows down with the server instead, which hides exactly the stall a background job causes.
/// </summary>
internal static class FixedRateLoad
{
    private const int MaxInFlight = 512;

    public static async Task<LoadResult> RunAsync(string baseUrl, IReadOnlyList<WrkTarget> targets, double perSecond, TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxInFlight, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(10),
        };
        var latencies = new List<long>();
        var pending = new List<Task>();
        long errors = 0;
        var started = Stopwatch.GetTimestamp();
        var total = (long)(perSecond * duration.TotalSeconds);
        for (long sent = 0; sent < total;)
        {
            var dueNow = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond));
            for (; sent < dueNow; sent++)
            {
                var due = started + (long)(sent / perSecond * Stopwatch.Frequency);
                pending.Add(SendAsync(http, targets[(int)(sent % targets.Count)], due));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(pending);
        return LoadResult.FromTimestamps(latencies, Stopwatch.GetElapsedTime(started), errors);

        async Task SendAsync(HttpClient client, WrkTarget target, long due)
        {
            using var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Path);
            if (target.Token is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            try
            {
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                var ok = response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotModified;
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetTimestamp() - due);
                }

                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }
}
