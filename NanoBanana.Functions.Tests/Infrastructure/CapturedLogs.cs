using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// Keeps every log line the app writes, with its structured properties and those of the scopes it
/// was written in, so tests can assert on what an operator would read (and on what must never be there).
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private TaskCompletionSource _nextLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<LogLine> Lines => _lines;

    /// <summary>
    /// Waits until <paramref name="count"/> lines match, woken by each line as it is written (work the
    /// app does in the background); a minute without them is a failure, not a verdict.
    /// </summary>
    public async Task WaitForAsync(Func<LogLine, bool> match, int count = 1)
    {
        while (true)
        {
            var next = _nextLine.Task; // taken before counting, so a line written meanwhile still wakes us
            if (_lines.Count(match) >= count)
            {
                return;
            }

            await next.WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope((scope, props) => Collect(scope, props), properties);
            Collect(state, properties);
            owner._lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception?.ToString(), properties));
            Interlocked.Exchange(ref owner._nextLine, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        private static void Collect(object? state, Dictionary<string, object?> properties)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    properties[key] = value;
                }
            }
            else if (state is IEnumerable<KeyValuePair<string, object>> objects)
            {
                foreach (var (key, value) in objects)
                {
                    properties[key] = value;
                }
            }
        }
    }
}

internal sealed record LogLine(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyDictionary<string, object?> Properties);
