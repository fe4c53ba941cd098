using System.Collections.Concurrent;

namespace NanoBanana.Functions.Gemini.Models;

/// <summary>
/// Which offered models Google last answered 404 NOT_FOUND for (<see cref="ModelRetirementGuard"/>):
/// what /api/health reports as degraded. One instance's view; each instance asks for itself.
/// </summary>
public sealed class ModelAvailability
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _notFound = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, DateTimeOffset> NotFound => _notFound;

    /// <returns>True when this is news (it was not already known to be gone).</returns>
    public bool MarkNotFound(string model, DateTimeOffset at) => _notFound.TryAdd(model, at);

    public void MarkFound(string model) => _notFound.TryRemove(model, out _);
}
