using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>What one simulated phone does with its generation, drawn up front from the run's seed.</summary>
internal sealed record ClientPlan(int Index, TimeSpan StartAfter, bool WithImage, int DroppedResponses, bool DuplicateMessage, bool Cancel);

/// <summary>What the phone saw.</summary>
internal sealed record ClientResult(
    ClientPlan Plan, string IdempotencyKey, string Prompt, Guid? Id, IReadOnlyList<Guid> IdsForKey, int? CancelStatus, string? LastSeenStatus);

/// <summary>
/// A phone: creates with an Idempotency-Key and retries on errors (the same key), sometimes loses
/// the response and asks again, sometimes cancels, then polls until the generation ends.
/// </summary>
internal sealed class RigClient(FunctionApp app, RigCounters counters, TimeSpan pollDeadline)
{
    private static readonly HashSet<string> Terminal = ["completed", "failed", "cancelled"];

    public async Task<ClientResult> RunAsync(ClientPlan plan, string runName, Stopwatch clock)
    {
        await Task.Delay(plan.StartAfter);
        var token = TestTokens.For($"phone-{runName}-{plan.Index}");
        var key = $"{runName}-{plan.Index}-{Guid.NewGuid():N}";
        var prompt = $"{runName} #{plan.Index} {Guid.NewGuid():N}";
        object body = plan.WithImage
            ? new { prompt, images = new[] { TestImages.Part("image/png", TestImages.Png) } }
            : new { prompt };

        var ids = new List<Guid>();
        for (var request = 0; request <= plan.DroppedResponses; request++)
        {
            if (await CreateAsync(token, key, body) is { } id)
            {
                ids.Add(id);
            }

            if (request > 0)
            {
                counters.Add("repeated creates (same key)");
            }
        }

        if (ids.Count == 0)
        {
            return new ClientResult(plan, key, prompt, null, ids, null, null);
        }

        var generation = ids[0];
        if (plan.DuplicateMessage)
        {
            await UntilDoneAsync(() => app.RawQueue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(generation.ToString("D")))));
            counters.Add("duplicate messages");
        }

        int? cancelStatus = null;
        if (plan.Cancel)
        {
            counters.Add("cancels requested");
            cancelStatus = await UntilAnswerAsync(() => app.Api.CancelAsync(token, generation.ToString()));
        }

        return new ClientResult(plan, key, prompt, generation, ids, cancelStatus, await PollAsync(token, generation));
    }

    private async Task<Guid?> CreateAsync(string token, string key, object body)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            counters.Add("create calls");
            try
            {
                var response = await app.Api.CreateAsync(token, body, new Dictionary<string, string> { ["Idempotency-Key"] = key });
                if (response.Status == StatusCodes.Status202Accepted)
                {
                    return response.Generation.Id;
                }

                if (response.Status < 500)
                {
                    counters.Add($"create refused {response.Status}");
                    return null;
                }
            }
            catch (Exception)
            {
                // A dropped connection, as a phone would see it: try again with the same key.
            }

            counters.Add("create errors retried");
            await Task.Delay(250);
        }

        return null;
    }

    private async Task<string?> PollAsync(string token, Guid id)
    {
        var deadline = DateTime.UtcNow + pollDeadline;
        string? etag = null;
        string? status = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var response = await app.Api.GetAsync(token, id.ToString(), etag);
                counters.Add("polls");
                if (response.Status == StatusCodes.Status200OK)
                {
                    etag = response.Headers.ETag.ToString();
                    status = response.Generation.Status;
                    if (Terminal.Contains(status))
                    {
                        return status;
                    }
                }
                else if (response.Status == StatusCodes.Status304NotModified)
                {
                    counters.Add("polls answered 304");
                }
                else
                {
                    counters.Add($"polls answered {response.Status}");
                }
            }
            catch (Exception)
            {
                counters.Add("polls failed");
            }

            await Task.Delay(1000);
        }

        return status;
    }

    private static async Task<int> UntilAnswerAsync(Func<Task<TestResponse>> call)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                var response = await call();
                if (response.Status < 500 || i > 200)
                {
                    return response.Status;
                }
            }
            catch (Exception) when (i < 200)
            {
            }

            await Task.Delay(250);
        }
    }

    private static async Task UntilDoneAsync(Func<Task> call)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception) when (i < 200)
            {
                await Task.Delay(250);
            }
        }
    }
}
