using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// The Gemini HttpClient's resilience pipeline (Microsoft.Extensions.Http.Resilience / Polly). It
/// retries only requests that certainly started no work at Google, so a retry never pays twice: a
/// connection that could not be made, and a 429 (not the per-day quota) or 503 refusal, after
/// Google's RetryInfo.retryDelay / Retry-After or a jittered exponential backoff. A wait longer than
/// Gemini__RetryMaxDelaySeconds ends the call instead: the next attempt of the run waits it, without
/// holding a worker. Each request has the attempt timeout of its model (<see cref="AttemptTimeout"/>).
/// </summary>
internal static class GeminiResilience
{
    /// <summary>Set on each request by the client: how long this model's answer may take.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> AttemptTimeout = new("NanoBanana.Gemini.AttemptTimeout");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, GeminiOptions options)
    {
        var maxDelay = TimeSpan.FromSeconds(options.RetryMaxDelaySeconds);
        // Gemini__MaxRetries=0 (no retry within a call) is a setting the options allow; Polly's retry refuses 0 attempts.
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                MaxDelay = maxDelay,
                ShouldHandle = args => RefusedBeforeWorkAsync(args.Outcome, maxDelay, args.Context.CancellationToken),
                DelayGenerator = async args => await ServerRequestedDelayAsync(args.Outcome, args.Context.CancellationToken),
            });
        }

        pipeline
            .AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    args.Context.GetRequestMessage()?.Options.TryGetValue(AttemptTimeout, out var timeout) == true
                        ? timeout
                        : options.LongestCall),
            });
    }

    private static async ValueTask<bool> RefusedBeforeWorkAsync(Outcome<HttpResponseMessage> outcome, TimeSpan maxDelay, CancellationToken ct)
    {
        switch (outcome)
        {
            case { Exception: HttpRequestException exception }:
                return GeminiErrorClassifier.NeverReachedGoogle(exception);
            case { Result: { } response } when GeminiErrorClassifier.IsRefusedBeforeWork(response.StatusCode):
                if (await GeminiErrorBody.ReadAsync(response, ct) is { Error.Details: { } details } && GeminiErrorClassifier.IsDailyQuota(details))
                {
                    return false; // will not clear in seconds
                }

                // A longer wait ends the call; the next attempt of the run waits it.
                return await ServerRequestedDelayAsync(outcome, ct) is not { } wait || wait <= maxDelay;
            default:
                return false;
        }
    }

    /// <summary>The wait Google asked for; null lets the backoff decide.</summary>
    private static async ValueTask<TimeSpan?> ServerRequestedDelayAsync(Outcome<HttpResponseMessage> outcome, CancellationToken ct)
    {
        if (outcome.Result is not { } response)
        {
            return null;
        }

        var fromBody = await GeminiErrorBody.ReadAsync(response, ct) is { Error.Details: { } details } ? GeminiErrorClassifier.RetryDelay(details) : null;
        return fromBody ?? GeminiErrorBody.RetryAfterHeader(response);
    }
}
