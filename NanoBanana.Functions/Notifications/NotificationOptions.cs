using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Notifications;

/// <summary>Bounds on telling owners that a generation ended, so no event is worked on forever.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    [Description("Times an ended generation's event is sent to the notification queue (the first dispatch and the sweep's re-dispatches of an event left unfinished); then it ends `gave_up`, recorded in `generation_events.outcome`.")]
    [Range(1, 20)]
    public int MaxDispatches { get; set; } = 3;

    [Description("The time one event's pushes may take in all: every subscription is sent to in parallel, and what has not answered by then waits for the next dispatch.")]
    [Range(1, 120)]
    public int SendBudgetSeconds { get; set; } = 30;
}
