using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Tests.Infrastructure.HttpFront;

/// <summary>
/// The browser suite's handle on a test front, on a port of its own so the API's routing stays exactly
/// functions.metadata's: users and their tokens, the Gemini fake's rules and answers, the requests the
/// front received, rows as the database holds them, and how many long-polls the API holds.
/// </summary>
internal static class TestControlServer
{
    /// <param name="more">Further endpoints (the benchmark's).</param>
    public static async Task<(WebApplication Server, string BaseUrl)> StartAsync(
        FunctionApp app, GeminiControl gemini, RequestLog requests, Action<WebApplication>? more = null) =>
        await LoopbackServer.StartAsync(server =>
        {
            server.MapPost("/users", () =>
            {
                var userId = TestTokens.NewUserId();
                return Results.Ok(new { userId, token = TestTokens.For(userId, DateTime.UtcNow.AddHours(2)) });
            });
            server.MapGet("/users/{userId}/generations/count", async (string userId) => Results.Ok(new { count = await app.CountRowsAsync(userId) }));
            server.MapGet("/generations/{id:guid}", async (Guid id) =>
            {
                var (status, attempt, errorCode) = await app.RowAsync(id);
                var completedAt = await app.ScalarAsync("SELECT coalesce((extract(epoch FROM completed_at) * 1000)::bigint, 0) FROM generations WHERE id = @id", ("id", id));
                return Results.Ok(new { status, attempt, errorCode, completedAt = completedAt == 0 ? (long?)null : completedAt });
            });
            // Long-polls the API holds right now.
            server.MapGet("/waiting", () => Results.Ok(new { waiting = app.Services.GetRequiredService<GenerationChanges>().Waiting }));

            server.MapPut("/gemini/rules/{marker}", (string marker, GeminiRule rule) =>
            {
                gemini.SetRule(marker, rule);
                return Results.NoContent();
            });
            server.MapPost("/gemini/rules/{marker}/release", (string marker) =>
            {
                gemini.Release(marker);
                return Results.NoContent();
            });
            server.MapGet("/gemini/calls", (string? marker) => Results.Ok(gemini.Calls(marker).Select(c => c.ToJson())));

            server.MapGet("/requests", (string? method, string? path) => Results.Ok(requests.Snapshot()
                .Where(r => (method is null || r.Method == method) && (path is null || r.Path == path))));
            more?.Invoke(server);
        });
}
