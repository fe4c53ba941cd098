namespace NanoBanana.Functions.Realtime;

/// <summary>
/// "A queue message was written to the outbox": the outbox dispatcher's wake-up, rung by the LISTEN
/// session (any instance's create or retry, migration 020) and by this instance's API right after its
/// own commit (so its message does not wait on the session). Many in a burst make one pass.
/// </summary>
public sealed class QueuedMessages : CoalescingSignal;
