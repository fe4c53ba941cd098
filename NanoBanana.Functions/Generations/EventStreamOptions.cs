using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Generations;

public sealed class EventStreamOptions
{
    public const string Section = "Events";

    [Description("The longest an event stream (`GET /api/generations/{id}/events`, `GET /api/events`) stays open before the server ends it; the client reconnects with its last id. Below Azure's 230 s HTTP limit, with room for the last write.")]
    [Range(5, 225)]
    public int MaxStreamSeconds { get; set; } = 220;

    [Description("Seconds of quiet after which a stream sends a comment line (`: heartbeat`), so proxies and phones keep it open and a dead connection is noticed. At most 15.")]
    [Range(1, 15)]
    public int HeartbeatSeconds { get; set; } = 15;

    [Description("Events read per query while a stream catches up, and the most generations one `?changedSince=` answer lists (then `more` is true and the client asks again with the new token).")]
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 200;

    [Description("The `retry:` (ms) a stream tells an EventSource client to wait before reconnecting.")]
    [Range(0, 60_000)]
    public int ReconnectMilliseconds { get; set; } = 1000;
}
