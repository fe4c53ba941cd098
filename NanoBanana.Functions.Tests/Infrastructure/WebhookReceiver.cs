using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// A real local endpoint for the app's webhooks: records each delivery (its headers and body) and
/// answers it with the next status a test queued in <see cref="Answers"/> (204 when none is queued).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _server = null!;

    private WebhookReceiver()
    {
    }

    public ConcurrentQueue<(IHeaderDictionary Headers, string Body)> Received { get; } = new();

    public ConcurrentQueue<int> Answers { get; } = new();

    /// <summary>The URL to give the app as a webhook.</summary>
    public string Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(string path)
    {
        var receiver = new WebhookReceiver();
        (receiver._server, var baseUrl) = await LoopbackServer.StartAsync(web => web.MapPost(path, async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            receiver.Received.Enqueue((new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value)), await reader.ReadToEndAsync()));
            return Results.StatusCode(receiver.Answers.TryDequeue(out var status) ? status : StatusCodes.Status204NoContent);
        }));
        receiver.Url = baseUrl + path;
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }
}
