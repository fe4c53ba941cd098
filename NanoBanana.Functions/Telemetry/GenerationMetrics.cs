using System.Diagnostics.Metrics;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Telemetry;

/// <summary>
/// The pipeline's metrics (System.Diagnostics.Metrics), exported by OpenTelemetry when configured:
/// what the original Express + Supabase system's monitoring list asked for (success rate,
/// durations, failure reasons) as live numbers.
/// </summary>
public sealed class GenerationMetrics
{
    public const string MeterName = "NanoBanana.Generations";

    private readonly Counter<long> _created;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _geminiLatency;
    private readonly Histogram<double> _queueAge;
    private readonly Counter<long> _modelNotFound;
    private readonly Counter<long> _abandonedClaims;
    private readonly Counter<long> _notLiveDeferrals;
    private readonly Counter<long> _stopped;

    // The liveness session's state on this instance: -1 until the session reports (off, or not started), then 1 up / 0 down.
    private int _livenessSessionUp = -1;

    public GenerationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _created = meter.CreateCounter<long>("nanobanana.generations.created", "{generation}", "Generations accepted by the API.");
        _completed = meter.CreateCounter<long>("nanobanana.generations.completed", "{generation}", "Generations that ended with images.");
        _failed = meter.CreateCounter<long>("nanobanana.generations.failed", "{generation}", "Generations that ended failed, by error.code.");
        _stopped = meter.CreateCounter<long>("nanobanana.generations.stopped", "{generation}",
            "Generations cancelled or expired before their result, by status, reason (owner|deadline) and cancel_outcome (before_call|after_call: whether Google may bill).");
        _duration = meter.CreateHistogram<double>("nanobanana.generation.duration", "s", "From creation to completion.");
        _geminiLatency = meter.CreateHistogram<double>("nanobanana.gemini.latency", "ms", "One Gemini call, retries included, by outcome.");
        _modelNotFound = meter.CreateCounter<long>("nanobanana.gemini.model_not_found", "{answer}", "Gemini answered 404 NOT_FOUND for a model: a retired id, by model and source (guard or generation).");
        _queueAge = meter.CreateHistogram<double>("nanobanana.queue.age_at_claim", "s", "From the last queue send to the worker's claim.");
        _abandonedClaims = meter.CreateCounter<long>("nanobanana.liveness.abandoned_claims", "{claim}",
            "Claims whose worker died (liveness lock gone past the grace), handed back by the sweep, by outcome: requeued or failed (at the run's limits).");
        _notLiveDeferrals = meter.CreateCounter<long>("nanobanana.liveness.not_live_deferrals", "{message}",
            "Deliveries handed on unclaimed because this instance's liveness session was down (each a re-sent, delayed message); summed over instances, the cluster's.");
        meter.CreateObservableGauge("nanobanana.liveness.session_up", ObserveLivenessSession, "{session}",
            "1 while this instance's liveness session is open (it takes work), 0 while it is down (it hands deliveries on); absent when the session is off.");
    }

    public void Created() => _created.Add(1);

    public void Completed(TimeSpan sinceCreated)
    {
        _completed.Add(1);
        _duration.Record(sinceCreated.TotalSeconds);
    }

    public void Failed(string errorCode) => _failed.Add(1, new KeyValuePair<string, object?>("error.code", errorCode));

    public void Stopped(GenerationStatus status, CancelOutcome? outcome, string reason) => _stopped.Add(1,
        new KeyValuePair<string, object?>("status", status.ToName()),
        new KeyValuePair<string, object?>("reason", reason),
        new KeyValuePair<string, object?>("cancel_outcome", outcome?.ToName()));

    public void GeminiCall(TimeSpan latency, string outcome) =>
        _geminiLatency.Record(latency.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void ModelNotFound(string model, string source) =>
        _modelNotFound.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("source", source));

    /// <param name="outcome"><c>requeued</c> (back to pending, message sent) or <c>failed</c> (its run's attempts or paid calls used up).</param>
    public void AbandonedClaim(string outcome) => _abandonedClaims.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void NotLiveDeferral() => _notLiveDeferrals.Add(1);

    public void LivenessSessionUp(bool up) => Volatile.Write(ref _livenessSessionUp, up ? 1 : 0);

    public void Claimed(TimeSpan queueAge) => _queueAge.Record(Math.Max(0, queueAge.TotalSeconds));

    // Nothing to report until the session has tried to open: an instance with the session off shows no series.
    private IEnumerable<Measurement<int>> ObserveLivenessSession() =>
        Volatile.Read(ref _livenessSessionUp) is var up and >= 0 ? [new Measurement<int>(up)] : [];
}
