using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// A pass-through in front of the blob endpoint, for a process a test kills mid-upload: every request goes on to
/// the real one as it came (Shared Key signs the path and headers, not the host). One upload a test names is
/// written through and then held, its answer never sent, until the test lets go: the blob is stored, the
/// uploader never hears so.
/// </summary>
internal sealed class BlobGate : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Expect", "Content-Length", "Upgrade", "Proxy-Connection",
    };

    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly Uri _target;
    private WebApplication _app = null!;
    private (Func<string, bool> Matches, HeldRequest Held)? _armed;

    private BlobGate(Uri target) => _target = target;

    /// <summary>The storage connection string with its blob endpoint at the gate.</summary>
    public string ConnectionString { get; private set; } = "";

    public static async Task<BlobGate> StartAsync()
    {
        var blobEndpoint = new Uri(TestSettings.StorageBlobEndpoint);
        var gate = new BlobGate(new Uri(blobEndpoint.GetLeftPart(UriPartial.Authority)));
        (gate._app, var baseUrl) = await LoopbackServer.StartAsync(app => app.Run(gate.ForwardAsync));
        gate.ConnectionString = TestSettings.StorageWithBlobAt(baseUrl.TrimEnd('/') + blobEndpoint.AbsolutePath);
        return gate;
    }

    /// <summary>The next upload (PUT) whose path <paramref name="matches"/> is written through, then its answer held.</summary>
    public HeldRequest HoldUpload(Func<string, bool> matches)
    {
        var held = new HeldRequest();
        _armed = (matches, held);
        return held;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_target, context.Request.Path + context.Request.QueryString));
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (body.Length > 0 || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPost(context.Request.Method))
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in context.Request.Headers.Where(h => !HopByHop.Contains(h.Key)))
        {
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        if (HttpMethods.IsPut(context.Request.Method) && _armed is { } armed && armed.Matches(context.Request.Path.Value ?? ""))
        {
            _armed = null;
            await armed.Held.HoldAsync(context); // stored; the answer is never sent
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(h => !HopByHop.Contains(h.Key) || h.Key == "Content-Length"))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
