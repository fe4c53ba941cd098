namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>What a queue delivery's one statement (<see cref="GenerationTransitions.Take"/>) did with its generation.</summary>
public enum DeliveryTake
{
    /// <summary>A live holder has it, or it ended or went: a duplicate or late message.</summary>
    Nothing,

    /// <summary>Claimed under a new attempt: the delivery runs the call.</summary>
    Claimed,

    /// <summary>Its deadline had passed: expired (it was waiting) or cancelled (its holder had stopped).</summary>
    Expired,

    /// <summary>Its run had used up its attempts or paid calls: failed with the last failure, or STUCK.</summary>
    Exhausted,
}
