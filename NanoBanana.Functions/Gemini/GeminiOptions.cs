using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NanoBanana.Functions.Gemini.Models;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Gemini;

/// <summary>Which Gemini endpoint serves the image calls.</summary>
public enum GeminiBackend
{
    /// <summary>A local stand-in that returns a real small PNG after a delay; no Google account needed.</summary>
    Simulated,

    /// <summary>Gemini Developer API (generativelanguage.googleapis.com) with an API key.</summary>
    Developer,

    /// <summary>Vertex AI with Google credentials (service account file or application default).</summary>
    Vertex,
}

public sealed class GeminiOptions : IValidatableObject
{
    public const string Section = "Gemini";

    [Description("`Developer` (Gemini Developer API, API key), `Vertex` (Vertex AI, Google credentials) or `Simulated` (a local stand-in: a real small PNG after a delay, no Google account). No default: a deployment must say whether it talks to Google.")]
    [Required(ErrorMessage = "Set Gemini__Backend: Developer (API key), Vertex (Google credentials) or Simulated (local stand-in).")]
    public GeminiBackend? Backend { get; set; }

    [Description("The model used when a request names none; one of [the model catalog](../NanoBanana.Functions/Gemini/Models/model-catalog.json)'s ids. Google retires ids: one the catalog lists as shut down fails start, naming its replacement; generations failing `MODEL_NOT_FOUND` mean change this.")]
    [Required(ErrorMessage = "Set Gemini__Model: the Gemini image model id (e.g. gemini-3.1-flash-image).")]
    public string Model { get; set; } = "gemini-3.1-flash-image";

    // Empty by default: the configuration binder appends to a non-empty default instead of replacing it.
    [Description("Other model ids a request may name in its `model` field (`GET /api/models` lists them). When none are set: the catalog's models offered by default (`gemini-3-pro-image` besides `gemini-3.1-flash-image`); setting any replaces those. An id the catalog does not know is offered with conservative options (the 10 common ratios, no `resolution`, 3 PNG/JPEG/WebP references) and a warning at start.")]
    public string[] AllowedModels { get; set; } = [];

    [Description("The server's Gemini Developer API key (`x-goog-api-key`), used when a request brings no personal key. Without it every create must send `X-Gemini-Api-Key`. In Azure a Key Vault reference.")]
    public string? ApiKey { get; set; }

    [Description("Where the Developer API is (tests point it at a local fake).")]
    public string DeveloperBaseUrl { get; set; } = "https://generativelanguage.googleapis.com";

    [Description("The Google Cloud project of Vertex AI.")]
    [RequiredWhen("`Gemini__Backend` Vertex")]
    public string? VertexProjectId { get; set; }

    [Description("The Vertex AI location: `global` uses `aiplatform.googleapis.com`, others `{location}-aiplatform.googleapis.com`.")]
    public string VertexLocation { get; set; } = "global";

    [Description("Overrides the Vertex AI host (tests, private endpoints); normally derived from the location.")]
    public string? VertexBaseUrl { get; set; }

    [Description("A service-account key file. Without it (and the next two), Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the metadata server...). One credential source at most.")]
    public string? VertexCredentialsFile { get; set; }

    [Description("A service-account key file's JSON itself (in Azure: a Key Vault reference), where no file can be placed.")]
    public string? VertexCredentialsJson { get; set; }

    [Description("Keyless Vertex AI from Azure: the Google workload identity provider (`//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`) that trusts the app's managed identity; its Entra token is exchanged at Google STS ([DEPLOY.md](DEPLOY.md), Gemini).")]
    public string? VertexWorkloadIdentityProvider { get; set; }

    [Description("With workload identity: the Entra application ID URI the managed identity asks its token for (the provider's allowed audience).")]
    public string VertexAzureAppIdUri { get; set; } = "api://AzureADTokenExchange";

    [Description("With workload identity: a Google service account to impersonate (optional: the federated identity may hold the roles itself).")]
    public string? VertexServiceAccountEmail { get; set; }

    /// <summary>The attempt timeout of a model the catalog does not know, when Gemini__AttemptTimeoutSeconds is not set.</summary>
    public const int UncataloguedAttemptTimeoutSeconds = 180;

    [Description("How long one `generateContent` request (answer included) may take, for every model. Unset: the catalog's per model (180 s for 3.1 Flash, 300 s for 3 Pro, which thinks and renders up to 4K) and 180 s for a model it does not know. The claim's heartbeat keeps the generation for as long as this; host.json `functionTimeout` must outlast the longest call by a minute (checked at start).")]
    [Range(1, 1800)]
    public int? AttemptTimeoutSeconds { get; set; }

    [Description("Paid `generateContent` calls one run (the create, or a retry by the owner) may make, whatever crashes or redelivers: each is counted in the row before it is sent; a refusal Google did no work for (429, 503, no connection) is given back. Past it the generation fails with its last real failure.")]
    [Range(1, 20)]
    public int MaxCallsPerRun { get; set; } = 3;

    [Description("Retries within a call, only of what certainly started no work at Google (a connection not made, a 429 that is not the per-day quota, a 503). A timeout or a cut connection is never repeated within a call; the run's next attempt does that, within the budget.")]
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Description("The first wait of those retries when Google names none (jittered, exponential).")]
    [Range(0, 60_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 1000;

    [Description("The longest wait between retries within a call. When Google asks for longer (`RetryInfo.retryDelay`, `Retry-After`), the call ends and the run's next attempt waits it instead.")]
    [Range(0, 600)]
    public int RetryMaxDelaySeconds { get; set; } = 10;

    [Description("How often each offered model is looked up at Google (at start too, in the background); one that answers 404 NOT_FOUND turns `/api/health` to `degraded` naming it, logs an error and counts `nanobanana.gemini.model_not_found` (an alert fires). 0 turns the check off.")]
    [Range(0, 168)]
    public int RetirementCheckHours { get; set; } = 6;

    [Description("How long the simulated backend takes per image.")]
    [Range(0, 600)]
    public double SimulatedDelaySeconds { get; set; } = 5;

    [Description("Developer API only: an uploaded reference (POST /api/uploads) goes to Gemini as `fileData` with a read-only SAS URL of a few minutes (`Uploads__ReadUrlMinutes`) that Google fetches, instead of inline base64 the worker downloads and re-encodes. Off until tried against Google (the tests' fake Gemini fetches the URL as Google documents it); Vertex and inline images always go inline.")]
    public bool InputsByUrl { get; set; }

    [Description("Where the model draws interim images while it thinks (the catalog's `thoughtImages`: the Gemini 3 image models), the worker calls `streamGenerateContent?alt=sse` with `includeThoughts` and keeps each interim image as a draft the phone can show (`drafts`, a `draft` event). false: one `generateContent` call, no drafts. The paid-call budget, heartbeat and fencing are the same either way.")]
    public bool Drafts { get; set; } = true;

    /// <summary>Whether a call to <paramref name="model"/> is streamed for its drafts (see <see cref="Drafts"/>).</summary>
    public bool StreamsDrafts(string model) => Drafts && Spec(model).ThoughtImages;

    /// <summary>What a request may name: the default model first, then the others offered.</summary>
    public IReadOnlyList<string> OfferedModels =>
        new[] { Model }.Concat(AllowedModels.Length > 0
                ? AllowedModels
                : ModelCatalog.Embedded.Available.Where(m => m.OfferedByDefault).Select(m => m.Id))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    public bool IsAllowed(string model) => OfferedModels.Contains(model, StringComparer.Ordinal);

    /// <summary>The catalog's facts for <paramref name="model"/>, or conservative ones for an id it does not list as available.</summary>
    public ModelSpec Spec(string model) =>
        ModelCatalog.Embedded.Find(model) is { Status: ModelStatus.Available } known ? known : ModelSpec.Conservative(model, AttemptTimeoutSeconds ?? UncataloguedAttemptTimeoutSeconds);

    /// <summary>How long one generateContent request to <paramref name="model"/> may take.</summary>
    public TimeSpan AttemptTimeout(string model) =>
        AttemptTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : Spec(model).AttemptTimeout;

    /// <summary>One call to <paramref name="model"/>: its request, and the waits of the retries within the call.</summary>
    public TimeSpan CallBudget(string model) => AttemptTimeout(model) + MaxRetries * TimeSpan.FromSeconds(RetryMaxDelaySeconds);

    /// <summary>The longest call any model this deployment offers can take.</summary>
    public TimeSpan LongestCall => OfferedModels.Max(CallBudget);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Backend == GeminiBackend.Vertex && string.IsNullOrWhiteSpace(VertexProjectId))
        {
            yield return new ValidationResult("Set Gemini__VertexProjectId: Gemini__Backend is Vertex, which needs the Google Cloud project id.");
        }

        if (new[] { VertexCredentialsFile, VertexCredentialsJson, VertexWorkloadIdentityProvider }.Count(s => !string.IsNullOrWhiteSpace(s)) > 1)
        {
            yield return new ValidationResult("Set only one of Gemini__VertexCredentialsFile, Gemini__VertexCredentialsJson and Gemini__VertexWorkloadIdentityProvider.");
        }

        foreach (var (model, setting) in new[] { (Model, "Gemini__Model") }.Concat(AllowedModels.Select((m, i) => (m, $"Gemini__AllowedModels__{i}"))))
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                yield return new ValidationResult($"{setting} is empty: name a Gemini image model id or remove the setting.");
            }
            else if (ModelCatalog.Embedded.Find(model) is { Status: ModelStatus.ShutDown } retired)
            {
                yield return new ValidationResult(
                    $"{setting} names {model}, which Google shut down on {retired.ShutDownOn:yyyy-MM-dd} (it answers 404 NOT_FOUND): set {retired.Replacement}.");
            }
        }
    }
}
