namespace NanoBanana.Functions.Realtime;

/// <summary>
/// "A generation ended and someone is to be told": the notification dispatcher's wake-up, rung by the
/// LISTEN session. Many endings in a burst make one pass, not one each.
/// </summary>
public sealed class GenerationEndings : CoalescingSignal;
