namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>A fault on the infrastructure, at a time after the run starts.</summary>
internal sealed record InfraFault(TimeSpan At, InfraFaultKind Kind);

internal enum InfraFaultKind
{
    PostgresFastRestart,
    PostgresImmediateRestart,
    AzuriteRestart,

    /// <summary>SIGKILL: the process dies mid-call, settling nothing; its claims wait for their leases to run out.</summary>
    KillWorkerProcess,

    /// <summary>pg_terminate_backend of every instance's liveness session while the processes live: they must take their locks back, losing nothing.</summary>
    TerminateLivenessSessions,

    /// <summary>SIGTERM: the host's graceful stop (drain, scale-in, deploy); the worker's token fires and it hands its claims back.</summary>
    StopWorkerProcess,
}

/// <summary>One reliability run: how many generations, how clients behave, and what breaks when.</summary>
internal sealed record RigOptions
{
    public required string Name { get; init; }

    /// <summary>Shrunk settings (a run takes a minute), or the defaults a deployment runs with.</summary>
    public RigTiming Timing { get; init; } = RigTiming.Shrunk;

    public int Generations { get; init; } = 40;

    public int Seed { get; init; } = 20261124;

    public IReadOnlyDictionary<string, int> GeminiWeights { get; init; } = new Dictionary<string, int> { ["ok"] = 1 };

    /// <summary>Workers inside the test process (two instances' worth of queue listeners).</summary>
    public int InProcessWorkers { get; init; } = 2;

    /// <summary>Workers in processes of their own, which <see cref="InfraFaultKind.KillWorkerProcess"/> SIGKILLs.</summary>
    public int WorkerProcesses { get; init; }

    public IReadOnlyList<InfraFault> InfraFaults { get; init; } = [];

    /// <summary>Share of generations whose message the rig sends a second time.</summary>
    public double DuplicateMessageRate { get; init; }

    /// <summary>Share of creates whose response the client "loses" and repeats, same Idempotency-Key, 1-5 times.</summary>
    public double DroppedResponseRate { get; init; }

    /// <summary>Share of generations the client cancels right after creating.</summary>
    public double CancelRate { get; init; }

    /// <summary>Share of creates that carry an input image (stored in blobs before the row).</summary>
    public double ImageRate { get; init; }

    /// <summary>Creates are spread over this long, so faults land in the middle of the stream.</summary>
    public TimeSpan CreateSpread { get; init; } = TimeSpan.FromSeconds(5);
}
