using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Requests a fake holds at a named step until the test lets go, so a test can SIGKILL the process that sent
/// it at exactly that point (no sleeps): <see cref="Hold"/> arms a step once, <see cref="HeldRequest.Reached"/>
/// says the request is in, <see cref="HeldRequest.Release"/> lets the fake go on, and it then drops the
/// connection (its caller is dead by then; an answer would go nowhere).
/// </summary>
internal sealed class HeldRequests<TStep> where TStep : notnull
{
    private readonly ConcurrentDictionary<TStep, HeldRequest> _armed = new();

    /// <summary>The next request to reach <paramref name="step"/> is held.</summary>
    public HeldRequest Hold(TStep step) => _armed[step] = new HeldRequest();

    /// <summary>The hold armed for <paramref name="step"/>, disarmed (the handler holds it when it is ready); null when none is.</summary>
    public HeldRequest? Take(TStep step) => _armed.TryRemove(step, out var held) ? held : null;

    /// <returns>True when the request was held and its connection dropped: the handler stops there.</returns>
    public async Task<bool> HoldIfArmedAsync(TStep step, HttpContext context)
    {
        if (Take(step) is not { } held)
        {
            return false;
        }

        await held.HoldAsync(context);
        return true;
    }
}

/// <summary>One held request: reached, then released.</summary>
internal sealed class HeldRequest
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the request is in the fake and held.</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    /// <summary>Says the request is in, waits for the test, then drops the connection.</summary>
    internal async Task HoldAsync(HttpContext context)
    {
        _reached.TrySetResult();
        await _released.Task;
        context.Abort();
    }
}
