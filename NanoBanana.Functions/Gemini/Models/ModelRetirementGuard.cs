using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Telemetry;

namespace NanoBanana.Functions.Gemini.Models;

/// <summary>
/// A guard against the next retirement: at start (in the background, never holding start-up up) and
/// every Gemini__RetirementCheckHours, asks Google for each offered model (Developer API
/// <c>GET /v1beta/models/{id}</c>, Vertex AI the publisher model). A 404 marks the model gone for
/// /api/health, logs one error naming what to set, and counts <c>nanobanana.gemini.model_not_found</c>
/// (an alert fires on it). Anything else (a network error, a 5xx, a bad key) says nothing about retirement.
/// </summary>
internal sealed class ModelRetirementGuard(
    IHttpClientFactory httpClients,
    GeminiEndpoint endpoint,
    ModelAvailability availability,
    GenerationMetrics metrics,
    IOptions<GeminiOptions> options,
    TimeProvider clock,
    ILogger<ModelRetirementGuard> logger) : BackgroundService
{
    public const string HttpClientName = "gemini-model-lookup";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Backend is not (GeminiBackend.Developer or GeminiBackend.Vertex) || settings.RetirementCheckHours == 0)
        {
            return;
        }

        await Task.Yield(); // start-up goes on while the first check runs
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CheckAllAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromHours(settings.RetirementCheckHours), clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the host is stopping
        }
    }

    public async Task CheckAllAsync(CancellationToken ct)
    {
        foreach (var model in options.Value.OfferedModels)
        {
            try
            {
                await CheckAsync(model, ct);
            }
            catch (Exception exception) when (!ct.IsCancellationRequested)
            {
                // A failing check must never stop the host (a background service's exception would).
                logger.LogWarning("Could not ask Gemini whether model {Model} still exists: {Error}", model, exception.Message);
            }
        }
    }

    private async Task CheckAsync(string model, CancellationToken ct)
    {
        using var request = await endpoint.CreateModelLookupAsync(model, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            metrics.ModelNotFound(model, "guard");
            if (availability.MarkNotFound(model, clock.GetUtcNow()))
            {
                var setting = model == options.Value.Model ? "Gemini__Model" : "Gemini__AllowedModels";
                logger.LogError(
                    "Gemini model {Model} answers 404 NOT_FOUND: Google has retired it and every generation on it fails MODEL_NOT_FOUND. Set {Setting} to a current model (see Gemini/Models/model-catalog.json)",
                    model, setting);
            }
        }
        else if (response.IsSuccessStatusCode)
        {
            availability.MarkFound(model);
        }
    }
}
