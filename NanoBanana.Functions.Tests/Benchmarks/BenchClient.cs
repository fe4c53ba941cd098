using System.Net.Http.Json;
using System.Text.Json;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>The benchmark's calls to the front's control server (<see cref="BenchControl"/>).</summary>
internal sealed class BenchClient(string controlUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(controlUrl), Timeout = TimeSpan.FromMinutes(30) };

    public async Task<List<BenchUser>> SeedAsync(SeedRequest request) =>
        await ReadAsync<List<BenchUser>>(await _http.PostAsJsonAsync("/bench/seed", request, JsonSerializerOptions.Web));

    public async Task InsertExpiredAsync(int rows) => await ReadAsync<JsonElement>(await _http.PostAsync($"/bench/expired?rows={rows}", null));

    public async Task<ProcessCounters> CountersAsync() => await ReadAsync<ProcessCounters>(await _http.GetAsync("/bench/counters"));

    public async Task<PipelineRows> GenerationsAsync(string owners) => await ReadAsync<PipelineRows>(await _http.GetAsync($"/bench/generations?owners={owners}"));

    public async Task<long> CancelPendingAsync(string owners) => await ReadAsync<long>(await _http.PostAsync($"/bench/generations/cancel-pending?owners={owners}", null));

    public async Task<LoadResult> EnqueueFloorAsync(int connections, TimeSpan duration, long count) =>
        await ReadAsync<LoadResult>(await _http.PostAsync($"/bench/floors/enqueue?connections={connections}&seconds={duration.TotalSeconds}&count={count}", null));

    public async Task<LoadResult> QueueFloorAsync(int connections, int count, TimeSpan timeout) =>
        await ReadAsync<LoadResult>(await _http.PostAsync($"/bench/floors/queue?connections={connections}&count={count}&seconds={timeout.TotalSeconds}", null));

    public async Task<LoadResult> PostgresFloorAsync(int connections, TimeSpan duration, long count, string owners) =>
        await ReadAsync<LoadResult>(await _http.PostAsync(
            $"/bench/floors/postgres?connections={connections}&seconds={duration.TotalSeconds}&count={count}&owners={owners}", null));

    public async Task StartCleanupAsync() => (await _http.PostAsync("/bench/cleanup", null)).EnsureSuccessStatusCode();

    public async Task<JsonElement> CleanupAsync() => await ReadAsync<JsonElement>(await _http.GetAsync("/bench/cleanup"));

    public async Task<bool> ResetStatementsAsync() => await ReadAsync<bool>(await _http.PostAsync("/bench/statements/reset", null));

    public async Task<List<StatementStat>> StatementsAsync(int top) => await ReadAsync<List<StatementStat>>(await _http.GetAsync($"/bench/statements?top={top}"));

    public void Dispose() => _http.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            return (await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web))!;
        }
    }
}
