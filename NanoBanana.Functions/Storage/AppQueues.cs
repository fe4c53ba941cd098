namespace NanoBanana.Functions.Storage;

/// <summary>
/// Every queue this app's triggers read, derived from <c>Storage__QueueName</c> (the same setting the
/// trigger attributes resolve as <c>%Storage:QueueName%</c>): the generations queue, the notifications
/// queue, and the poison queue of each, where the host moves a message that failed
/// <c>maxDequeueCount</c> times.
/// </summary>
public static class AppQueues
{
    /// <summary>The suffix the Functions host gives a trigger's poison queue.</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>The suffix of the notifications queue (a constant: the trigger attribute needs it at compile time).</summary>
    public const string NotificationsSuffix = "-notifications";

    public static string Notifications(string queueName) => queueName + NotificationsSuffix;

    public static string Poison(string queueName) => queueName + PoisonSuffix;

    public static IReadOnlyList<string> All(string queueName) =>
        [queueName, Poison(queueName), Notifications(queueName), Poison(Notifications(queueName))];
}
