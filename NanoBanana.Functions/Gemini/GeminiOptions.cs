using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using NanoBanana.Functions.Hosting;

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

    [Description("The model used when a request names none. Google retires ids: generations failing `MODEL_NOT_FOUND` mean change this.")]
    [Required(ErrorMessage = "Set Gemini__Model: the Gemini image model id (e.g. gemini-2.5-flash-image).")]
    public string Model { get; set; } = "gemini-2.5-flash-image";

    [Description("Other model ids a request may name in its `model` field.")]
    public string[] AllowedModels { get; set; } = [];

    // Empty by default: the configuration binder appends to a non-empty default instead of replacing it.
    [Description("Models that get `imageConfig.imageSize` from a request's `resolution` (others ignore it); when none are set, `gemini-3-pro-image-preview` and `gemini-3.1-flash-image`. Setting any replaces those.")]
    public string[] ImageSizeModels { get; set; } = [];

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

    [Description("How long one `generateContent` request (answer included) may take, for models not in `Gemini__ModelTimeouts`: the flash image models usually take 5-30 s, at worst minutes. The claim's heartbeat keeps the generation for as long as this.")]
    [Range(1, 1800)]
    public int AttemptTimeoutSeconds { get; set; } = 180;

    // Empty by default: the configuration binder appends to a non-empty default instead of replacing it.
    public ModelTimeout[] ModelTimeouts { get; set; } = [];

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

    [Description("How long the simulated backend takes per image.")]
    [Range(0, 600)]
    public double SimulatedDelaySeconds { get; set; } = 5;

    public bool IsAllowed(string model) =>
        string.Equals(model, Model, StringComparison.Ordinal) || AllowedModels.Contains(model, StringComparer.Ordinal);

    public bool SupportsImageSize(string model) =>
        (ImageSizeModels.Length > 0 ? ImageSizeModels : ["gemini-3-pro-image-preview", "gemini-3.1-flash-image"]).Contains(model, StringComparer.Ordinal);

    internal IReadOnlyList<ModelTimeout> EffectiveModelTimeouts =>
        ModelTimeouts.Length > 0 ? ModelTimeouts : [new ModelTimeout { Model = "gemini-3-pro-image-preview", Seconds = 300 }];

    /// <summary>How long one generateContent request to <paramref name="model"/> may take.</summary>
    public TimeSpan AttemptTimeout(string model) => TimeSpan.FromSeconds(
        EffectiveModelTimeouts.FirstOrDefault(t => string.Equals(t.Model, model, StringComparison.Ordinal))?.Seconds ?? AttemptTimeoutSeconds);

    /// <summary>One call to <paramref name="model"/>: its request, and the waits of the retries within the call.</summary>
    public TimeSpan CallBudget(string model) => AttemptTimeout(model) + MaxRetries * TimeSpan.FromSeconds(RetryMaxDelaySeconds);

    /// <summary>The longest call any model this deployment may use can take.</summary>
    public TimeSpan LongestCall => new[] { Model }.Concat(AllowedModels).Concat(EffectiveModelTimeouts.Select(t => t.Model)).Max(CallBudget);

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

        foreach (var (timeout, index) in ModelTimeouts.Select((t, i) => (t, i)))
        {
            if (string.IsNullOrWhiteSpace(timeout.Model) || timeout.Seconds is < 1 or > 1800)
            {
                yield return new ValidationResult($"Gemini__ModelTimeouts__{index}: set Model (a model id) and Seconds (1 to 1800).");
            }
        }
    }
}

/// <summary>One model's attempt timeout (Gemini__ModelTimeouts__n__Model, Gemini__ModelTimeouts__n__Seconds).</summary>
public sealed class ModelTimeout
{
    [Description("A model that needs another attempt timeout than `Gemini__AttemptTimeoutSeconds`. When none are set: `gemini-3-pro-image-preview`, 300 s (it thinks, drafts interim images, renders up to 4K). Setting any replaces that. host.json `functionTimeout` must outlast the longest call by a minute (checked at start).")]
    public string Model { get; set; } = "";

    [Description("That model's attempt timeout (1 to 1,800).")]
    public int Seconds { get; set; }
}
