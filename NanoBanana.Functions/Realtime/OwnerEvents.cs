namespace NanoBanana.Functions.Realtime;

/// <summary>Requests waiting for a new event of any of one owner's generations: the caller-wide stream.</summary>
public sealed class OwnerEvents() : ChangeFanOut<string>(StringComparer.Ordinal);
