using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>What reached the front, for tests that count a client's requests (polls per interval, repeated creates).</summary>
internal sealed class RequestLog
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<FrontRequest> _requests = new();

    public async Task Middleware(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var at = DateTimeOffset.UtcNow;
        await next(context);
        _requests.Enqueue(new FrontRequest(
            at, (DateTimeOffset.UtcNow - at).TotalMilliseconds, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", context.Response.StatusCode,
            Header(request, "If-None-Match"), Header(request, "Idempotency-Key"), Header(request, "Origin"), Header(request, "Prefer")));
        while (_requests.Count > Capacity && _requests.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<FrontRequest> Snapshot() => [.. _requests];

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}

internal sealed record FrontRequest(
    DateTimeOffset At, double Ms, string Method, string Path, string Query, int Status, string? IfNoneMatch, string? IdempotencyKey, string? Origin, string? Prefer);
