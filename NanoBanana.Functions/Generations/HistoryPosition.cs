namespace NanoBanana.Functions.Generations;

/// <summary>A place in a caller's history: the (created_at, id) of the last item seen.</summary>
public readonly record struct HistoryPosition(DateTimeOffset CreatedAt, Guid Id);
