using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Realtime;

public sealed class KnownVersionsOptions
{
    public const string Section = "KnownVersions";

    [Description("The most generations an instance remembers from its `LISTEN` session (owner, version, status, queue place: about 200 bytes each), so a poll whose `If-None-Match` is still current is answered 304 without a query. The least recently announced go first. 0 turns polls from memory off: every poll reads Postgres.")]
    [Range(0, 10_000_000)]
    public int MaxEntries { get; set; } = 50_000;

    [Description("How long a remembered version answers polls after it was announced; older ones are read from Postgres again. It bounds how long anything that changed a row without announcing it (an operator's SQL with triggers off) could go unseen.")]
    [Range(1, 86_400)]
    public int MaxAgeSeconds { get; set; } = 600;

    [Description("When nothing arrives for this long, the `LISTEN` session sends a query to prove it is still connected. Remembered versions answer only while the last proof (a connect, a notification, a probe) is at most twice this old, so a connection that died without a word (no FIN, no RST) stops polls from memory within that time, long before TCP keep-alive notices.")]
    [Range(1, 300)]
    public int ProbeSeconds { get; set; } = 5;
}
