using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Outbox;

/// <summary>How the queue outbox's dispatcher catches what its NOTIFY-woken passes missed (RELIABILITY.md).</summary>
public sealed class OutboxOptions : IValidatableObject
{
    public const string Section = "Outbox";

    [Description("How often each instance sends what is left in the queue outbox: a create's queue message goes out at once (its commit rings the dispatcher); this picks up what that missed (an instance that died after the commit, a queue that was down). An idle sweep is one indexed statement. After a pass in which a send failed, the next waits this long too.")]
    [Range(1, 60)]
    public int SweepSeconds { get; set; } = 2;

    [Description("A message taken by an instance that never said it went out (it died mid-send) is taken again after this. A pass's sends are cut off at half of it, so a live instance is done with a message before another may take it again; at least four times `SweepSeconds`.")]
    [Range(4, 600)]
    public int RetakeAfterSeconds { get; set; } = 20;

    public TimeSpan Sweep => TimeSpan.FromSeconds(SweepSeconds);

    public TimeSpan RetakeAfter => TimeSpan.FromSeconds(RetakeAfterSeconds);

    /// <summary>How long one pass's sends may take in all: half of <see cref="RetakeAfter"/>.</summary>
    public TimeSpan SendBudget => RetakeAfter / 2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetakeAfterSeconds < 4 * SweepSeconds)
        {
            yield return new ValidationResult(
                $"Outbox__RetakeAfterSeconds ({RetakeAfterSeconds}) must be at least four times Outbox__SweepSeconds ({SweepSeconds}): a message is retaken only once its taker has had time to send it.",
                [nameof(RetakeAfterSeconds)]);
        }
    }
}
