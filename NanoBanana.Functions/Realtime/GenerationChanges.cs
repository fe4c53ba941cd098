namespace NanoBanana.Functions.Realtime;

/// <summary>Requests waiting for one generation to change: long-polls and its event stream.</summary>
public sealed class GenerationChanges : ChangeFanOut<Guid>;
