using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace NanoBanana.Functions.Gemini;

/// <summary>
/// The Gemini HttpClient's resilience pipeline (Microsoft.Extensions.Http.Resilience / Polly):
/// total timeout, then retries with jittered exponential backoff for 408/429/5xx and network
/// errors, honouring Google's RetryInfo.retryDelay and Retry-After, then a per-attempt timeout.
/// A per-day quota is not retried: it will not clear in seconds.
/// </summary>
internal static class GeminiResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, GeminiOptions options)
    {
        var maxDelay = TimeSpan.FromSeconds(options.RetryMaxDelaySeconds);
        pipeline
            .AddTimeout(TimeSpan.FromSeconds(options.TotalTimeoutSeconds))
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                MaxDelay = maxDelay,
                ShouldHandle = ShouldRetryAsync,
                DelayGenerator = async args => await ServerRequestedDelayAsync(args.Outcome, maxDelay, args.Context.CancellationToken),
            })
            .AddTimeout(TimeSpan.FromSeconds(options.AttemptTimeoutSeconds));
    }

    private static async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args) => args.Outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } when GeminiErrorClassifier.IsTransientStatus(response.StatusCode) =>
            response.StatusCode != HttpStatusCode.TooManyRequests || !await IsDailyQuotaAsync(response, args.Context.CancellationToken),
        _ => false,
    };

    private static async Task<bool> IsDailyQuotaAsync(HttpResponseMessage response, CancellationToken ct) =>
        await GeminiErrorBody.ReadAsync(response, ct) is { Error.Details: { } details } && GeminiErrorClassifier.IsDailyQuota(details);

    /// <summary>The wait Google asked for, capped; null lets the backoff decide.</summary>
    private static async Task<TimeSpan?> ServerRequestedDelayAsync(Outcome<HttpResponseMessage> outcome, TimeSpan maxDelay, CancellationToken ct)
    {
        if (outcome.Result is not { } response)
        {
            return null;
        }

        var fromBody = await GeminiErrorBody.ReadAsync(response, ct) is { Error.Details: { } details } ? GeminiErrorClassifier.RetryDelay(details) : null;
        var requested = fromBody ?? GeminiErrorBody.RetryAfterHeader(response);
        return requested is { } delay ? (delay < maxDelay ? delay : maxDelay) : null;
    }
}
