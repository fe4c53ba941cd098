using System.Diagnostics.Metrics;

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

    public GenerationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _created = meter.CreateCounter<long>("nanobanana.generations.created", "{generation}", "Generations accepted by the API.");
        _completed = meter.CreateCounter<long>("nanobanana.generations.completed", "{generation}", "Generations that ended with images.");
        _failed = meter.CreateCounter<long>("nanobanana.generations.failed", "{generation}", "Generations that ended failed, by error.code.");
        _duration = meter.CreateHistogram<double>("nanobanana.generation.duration", "s", "From creation to completion.");
        _geminiLatency = meter.CreateHistogram<double>("nanobanana.gemini.latency", "ms", "One Gemini call, retries included, by outcome.");
        _modelNotFound = meter.CreateCounter<long>("nanobanana.gemini.model_not_found", "{answer}", "Gemini answered 404 NOT_FOUND for a model: a retired id, by model and source (guard or generation).");
        _queueAge = meter.CreateHistogram<double>("nanobanana.queue.age_at_claim", "s", "From the last queue send to the worker's claim.");
    }

    public void Created() => _created.Add(1);

    public void Completed(TimeSpan sinceCreated)
    {
        _completed.Add(1);
        _duration.Record(sinceCreated.TotalSeconds);
    }

    public void Failed(string errorCode) => _failed.Add(1, new KeyValuePair<string, object?>("error.code", errorCode));

    public void GeminiCall(TimeSpan latency, string outcome) =>
        _geminiLatency.Record(latency.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void ModelNotFound(string model, string source) =>
        _modelNotFound.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("source", source));

    public void Claimed(TimeSpan queueAge) => _queueAge.Record(Math.Max(0, queueAge.TotalSeconds));
}
