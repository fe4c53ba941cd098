using System.Collections.Frozen;

namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// The status sets, each written once: the C# set, and the SQL literal the statements use built from it. The
/// database's own copies (CHECK constraints, trigger functions, partial indexes: migrations cannot import C#) and
/// the TypeScript client's (through openapi.json's <c>x-status-sets</c>) are tested equal to these
/// (<c>Lifecycle/StatusSetTests</c> and the client's <c>types.test.ts</c>).
/// </summary>
public static class GenerationStatuses
{
    /// <summary>Every status, in the enum's order.</summary>
    public static readonly IReadOnlyList<GenerationStatus> All = Enum.GetValues<GenerationStatus>();

    /// <summary>Not ended yet: counted against the user's active limit, followed by the repair and the deadline sweep.</summary>
    public static readonly FrozenSet<GenerationStatus> Active = FrozenSet.Create(GenerationStatus.Pending, GenerationStatus.Processing);

    /// <summary>Ended: nothing changes it any more but a retry or a delete; its event stream is closed.</summary>
    public static readonly FrozenSet<GenerationStatus> Terminal = All.Where(status => !Active.Contains(status)).ToFrozenSet();

    /// <summary>What the owner may run again (a new run): an ending without a result.</summary>
    public static readonly FrozenSet<GenerationStatus> Retryable = FrozenSet.Create(GenerationStatus.Failed, GenerationStatus.Cancelled, GenerationStatus.Expired);

    /// <summary>What the owner may cancel: whatever has not ended.</summary>
    public static readonly FrozenSet<GenerationStatus> Cancellable = Active;

    /// <summary>An ending that stopped the generation before its result: it says what was billed (<see cref="CancelOutcome"/>).</summary>
    public static readonly FrozenSet<GenerationStatus> Stopped = FrozenSet.Create(GenerationStatus.Cancelled, GenerationStatus.Expired);

    /// <summary>The sets by the names openapi.json's <c>x-status-sets</c> gives them (the client's copy).</summary>
    public static readonly IReadOnlyDictionary<string, FrozenSet<GenerationStatus>> Named = new Dictionary<string, FrozenSet<GenerationStatus>>
    {
        ["active"] = Active,
        ["terminal"] = Terminal,
        ["retryable"] = Retryable,
        ["cancellable"] = Cancellable,
        ["stopped"] = Stopped,
    };

    /// <summary><see cref="Active"/> as an SQL list: <c>('pending', 'processing')</c>.</summary>
    public static readonly string ActiveSql = Sql(Active);

    public static readonly string TerminalSql = Sql(Terminal);

    public static readonly string RetryableSql = Sql(Retryable);

    public static readonly string CancellableSql = Sql(Cancellable);

    /// <summary>A set as the SQL list an <c>IN</c> takes, in the enum's order (so it reads the same everywhere).</summary>
    public static string Sql(IEnumerable<GenerationStatus> set) =>
        "(" + string.Join(", ", All.Where(set.Contains).Select(status => $"'{status.ToName()}'")) + ")";

    /// <summary>The lower-case name used in the database, the API and the logs.</summary>
    public static string ToName(this GenerationStatus status) => status switch
    {
        GenerationStatus.Pending => "pending",
        GenerationStatus.Processing => "processing",
        GenerationStatus.Completed => "completed",
        GenerationStatus.Failed => "failed",
        GenerationStatus.Cancelled => "cancelled",
        GenerationStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? name, out GenerationStatus status)
    {
        // Every row read parses one: a switch, not a scan of Enum.GetValues (an array per call).
        GenerationStatus? parsed = name switch
        {
            "pending" => GenerationStatus.Pending,
            "processing" => GenerationStatus.Processing,
            "completed" => GenerationStatus.Completed,
            "failed" => GenerationStatus.Failed,
            "cancelled" => GenerationStatus.Cancelled,
            "expired" => GenerationStatus.Expired,
            _ => null,
        };
        status = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    public static GenerationStatus Parse(string name) =>
        TryParse(name, out var status) ? status : throw new FormatException($"Unknown generation status '{name}'.");

    public static bool IsTerminal(this GenerationStatus status) => Terminal.Contains(status);

    public static bool IsRetryable(this GenerationStatus status) => Retryable.Contains(status);

    public static bool IsStopped(this GenerationStatus status) => Stopped.Contains(status);
}
