using System.Diagnostics;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Http;
using Npgsql;

namespace NanoBanana.Functions.Api;

/// <summary>
/// Turns any exception from an HTTP function into the problem+json response it deserves: the
/// domain's refusals (<see cref="GenerationRefusedException"/>) into their problems, outages and a
/// host that stopped the request into 503s, anything else into a logged 500. The domain itself
/// never speaks HTTP.
/// </summary>
public sealed class ProblemMapper(IOptions<ApiOptions> options, ILogger<ProblemMapper> logger)
{
    private const string RetryAfterSeconds = "5";

    /// <param name="invocation">The function invocation's token: the host cancels it when it stops or times the function out.</param>
    public IResult ToResult(Exception exception, HttpContext httpContext, CancellationToken invocation = default)
    {
        BrowserHeaders.Expose(httpContext.Response);
        switch (exception is GenerationRefusedException refused ? ToProblem(refused) : exception)
        {
            case ApiProblemException problem:
                foreach (var (name, value) in problem.Headers)
                {
                    httpContext.Response.Headers[name] = value;
                }

                return Problem(httpContext, problem.Status, problem.Code, problem.Title, problem.Detail, problem.Errors);

            // Kestrel's own refusal while the body is read: over MaxRequestBodySize (Api__MaxBodyBytes,
            // WorkerBodyLimit), or a body that ended early or came too slowly.
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return ToResult(Problems.PayloadTooLarge(options.Value.MaxBodyBytes), httpContext, invocation);

            case BadHttpRequestException unreadable:
                logger.LogInformation("Request body to {Path} could not be read: {Reason}", httpContext.Request.Path.Value, unreadable.Message);
                return Problem(httpContext, unreadable.StatusCode, ProblemCodes.InvalidJson, "The request body could not be read.",
                    "The body ended early or arrived too slowly; send the request again.");

            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                logger.LogInformation("Client closed the request to {Path} before it completed", httpContext.Request.Path.Value);
                return Results.StatusCode(StatusCodes.Status499ClientClosedRequest);

            case OperationCanceledException when invocation.IsCancellationRequested:
                // Not the client, not an outage: this instance is stopping (drain, scale-in, deploy) or
                // the function ran out of time. Another instance will serve the same request.
                logger.LogWarning("Request to {Path} stopped by the host (shutting down or timing the function out)", httpContext.Request.Path.Value);
                httpContext.Response.Headers.RetryAfter = "1";
                return Problem(httpContext, StatusCodes.Status503ServiceUnavailable, ProblemCodes.ServiceInterrupted,
                    "Service interrupted.", "The server stopped this request before it finished (a restart or a time limit); send it again.");

            case NpgsqlException or TimeoutException when IsDatabaseOutage(exception):
                logger.LogWarning(exception, "Database unavailable while serving {Path}", httpContext.Request.Path.Value);
                httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
                return Problem(httpContext, StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable,
                    "Service temporarily unavailable.", "The database did not answer; try again shortly.");

            case RequestFailedException or AggregateException or OperationCanceledException when IsStorageOutage(exception):
                logger.LogWarning(exception, "Storage unavailable while serving {Path}", httpContext.Request.Path.Value);
                httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
                return Problem(httpContext, StatusCodes.Status503ServiceUnavailable, ProblemCodes.StorageUnavailable,
                    "Service temporarily unavailable.", "Storage did not answer; try again shortly.");

            default:
                logger.LogError(exception, "Unhandled exception serving {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path.Value);
                return Problem(httpContext, StatusCodes.Status500InternalServerError, ProblemCodes.InternalError,
                    "Something went wrong on our side.", "The error has been logged; quote the traceId when reporting it.");
        }
    }

    /// <summary>What each of the domain's refusals is over HTTP.</summary>
    private ApiProblemException ToProblem(GenerationRefusedException refused) => refused switch
    {
        GenerationNotFoundException => Problems.GenerationNotFound(),
        GenerationNotRetryableException notRetryable => Problems.NotRetryable(notRetryable.Status),
        GenerationNotCancellableException notCancellable => Problems.NotCancellable(notCancellable.Status),
        IdempotencyKeyReusedException => Problems.IdempotencyKeyReused(),
        LimitExceededException exceeded => Problems.LimitExceeded(exceeded.Limit, options.Value.PollAfterSeconds),
        GeminiKeyRequiredException => Problems.GeminiKeyRequired(),
        PersonalKeyNotSupportedException notSupported => Problems.PersonalKeyNotSupported(notSupported.Reason),
        InvalidPersonalKeyException => Problems.InvalidPersonalKey(),
        _ => throw new UnreachableException($"{refused.GetType().Name} has no HTTP answer; add one here."),
    };

    private static bool IsDatabaseOutage(Exception exception) =>
        exception is TimeoutException || exception is NpgsqlException { IsTransient: true } || exception.InnerException is System.Net.Sockets.SocketException;

    // Azure.Core reports a storage call that timed out as a cancellation (the client did not cancel:
    // that case is matched above), and one that failed all its retries as an AggregateException.
    private static bool IsStorageOutage(Exception exception) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or >= 500,
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsStorageOutage),
        _ => false,
    };

    private static ProblemHttpResult Problem(
        HttpContext httpContext, int status, string code, string title, string? detail, IReadOnlyList<FieldError>? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = httpContext.Request.Path.Value };
        problem.Extensions["code"] = code;
        if (errors is { Count: > 0 })
        {
            problem.Extensions["errors"] = errors;
        }

        problem.Extensions["traceId"] = Activity.Current?.Id ?? httpContext.TraceIdentifier;
        return TypedResults.Problem(problem);
    }
}
