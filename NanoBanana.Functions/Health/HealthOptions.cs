using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    [Description("How long one run of the health checks (a Postgres query, a queue and a blob call) answers `/api/health`: anonymous callers cannot make the app do more than one run per this many seconds; concurrent calls share a run. 0 checks on every call.")]
    [Range(0, 300)]
    public int CacheSeconds { get; set; } = 5;
}
