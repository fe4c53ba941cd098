namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// What an owner's transition answers, from its one statement: applied, with the changed row; or refused, with
/// the row as it stands (whose status says why), or no row at all when the owner has no such generation.
/// </summary>
public readonly record struct TransitionOutcome(bool Applied, Generation? Row)
{
    public static TransitionOutcome NotFound => new(false, null);
}
