using System.Globalization;
using System.Text.Json;

namespace NanoBanana.Functions.Settings;

/// <summary>
/// The host.json settings the app's own settings must agree with, read from the file that ships
/// beside the worker (the Functions host reads the same file; the build copies it there).
/// </summary>
internal sealed record HostJson(TimeSpan FunctionTimeout, int MaxDequeueCount)
{
    /// <summary>Room in an invocation beyond the Gemini call: input downloads, result uploads, database writes.</summary>
    public static readonly TimeSpan WorkAroundTheCall = TimeSpan.FromMinutes(1);

    /// <summary>The host.json beside the app, or null when there is none (a host without one uses its defaults).</summary>
    public static HostJson? Load(string directory)
    {
        var path = Path.Combine(directory, "host.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var timeout = root.TryGetProperty("functionTimeout", out var t) && t.GetString() is { } text
            ? TimeSpan.Parse(text, CultureInfo.InvariantCulture)
            : TimeSpan.FromMinutes(5); // the Consumption plan's default, the shortest
        var dequeues = root.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("queues", out var queues)
                       && queues.TryGetProperty("maxDequeueCount", out var count)
            ? count.GetInt32()
            : 5;
        return new HostJson(timeout, dequeues);
    }

    /// <summary>What in host.json contradicts the worker's settings, or null when they agree.</summary>
    public string? Disagreement(TimeSpan longestCall, int maxAttempts) =>
        FunctionTimeout < longestCall + WorkAroundTheCall
            ? $"host.json functionTimeout ({FunctionTimeout}) must exceed the longest Gemini call ({longestCall}: the largest attempt timeout "
              + $"plus the retry waits within it) by {WorkAroundTheCall.TotalSeconds:F0} s, or the host cuts a call off that is still allowed to run."
            : MaxDequeueCount <= maxAttempts
                ? $"host.json maxDequeueCount ({MaxDequeueCount}) must exceed Processing__MaxAttempts ({maxAttempts}), so a generation fails with its own reason before the queue gives up on its message."
                : null;
}
