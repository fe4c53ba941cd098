using System.Text.Json.Serialization;

namespace NanoBanana.Functions.Notifications;

/// <summary>
/// What a push tells a browser that a generation ended: its id and status, never its prompt (the push
/// service is a third party). With a page to open (<c>Push__NotificationUrl</c>), the message is also a
/// Declarative Web Push one (WebKit, "Meet Declarative Web Push"): Safari shows its <c>notification</c>
/// itself, even where the service worker is gone or fails, and does not count the push against the
/// subscription as silent; the reference service worker reads the same fields, and older ones still
/// read <c>id</c> and <c>status</c> at the top.
/// </summary>
public static class GenerationPushPayload
{
    /// <summary>The magic number that marks a declarative message (RFC 8030's number).</summary>
    public const int DeclarativeMagic = 8030;

    public static object For(Guid generationId, string status, string? notificationUrl) =>
        notificationUrl is null
            ? new Plain(generationId, status)
            : new Declarative(DeclarativeMagic, Notification(generationId, status, notificationUrl), generationId, status);

    private static DeclarativeNotification Notification(Guid generationId, string status, string notificationUrl) =>
        new(Title(status), "Tap to see it.", $"{notificationUrl}?generation={generationId}", generationId.ToString());

    // The same titles as the reference service worker's (clients/web/demo/public/sw.js).
    private static string Title(string status) => status switch
    {
        "completed" => "Your image is ready 🍌",
        "cancelled" => "Your image was cancelled",
        _ => "Your image could not be made",
    };

    private sealed record Plain(Guid Id, string Status);

    private sealed record Declarative(
        [property: JsonPropertyName("web_push")] int WebPush, DeclarativeNotification Notification, Guid Id, string Status);

    private sealed record DeclarativeNotification(string Title, string Body, string Navigate, string Tag);
}
