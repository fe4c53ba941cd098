using System.Net.Http.Headers;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// Event streams held open against the front while a row runs (issue 23: 1,000 on one instance): each is
/// a caller-wide <c>GET /api/events</c> of one of the seeded users, read and discarded as it comes (the
/// first event, heartbeats), so the server keeps every one of them live. Disposed, they are cut.
/// </summary>
internal sealed class OpenStreams : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];
    private int _open;

    private OpenStreams(string apiUrl) =>
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(apiUrl),
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>Streams whose headers came back 200 and that are still being read.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Opens <paramref name="count"/> streams, spread over <paramref name="tokens"/>, and waits until all answered.</summary>
    public static async Task<OpenStreams> StartAsync(string apiUrl, IReadOnlyList<string> tokens, int count, TimeSpan timeout)
    {
        var streams = new OpenStreams(apiUrl);
        var answered = Enumerable.Range(0, count).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        for (var i = 0; i < count; i++)
        {
            streams._readers.Add(streams.ReadAsync(tokens[i % tokens.Count], answered[i]));
        }

        await Task.WhenAll(answered.Select(a => a.Task)).WaitAsync(timeout);
        return streams;
    }

    private async Task ReadAsync(string token, TaskCompletionSource answered)
    {
        var open = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            response.EnsureSuccessStatusCode();
            Interlocked.Increment(ref _open);
            open = true;
            answered.TrySetResult();
            await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
            var buffer = new byte[4096];
            while (await body.ReadAsync(buffer, _stop.Token) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            answered.TrySetException(exception);
        }
        finally
        {
            if (open)
            {
                Interlocked.Decrement(ref _open);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
        _http.Dispose();
        _stop.Dispose();
    }
}
