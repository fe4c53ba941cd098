using System.ComponentModel.DataAnnotations;

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

    /// <summary>No default: a deployment must say whether it talks to Google or to the stand-in.</summary>
    [Required(ErrorMessage = "Set Gemini__Backend: Developer (API key), Vertex (Google credentials) or Simulated (local stand-in).")]
    public GeminiBackend? Backend { get; set; }

    /// <summary>The model used when a request names none. Google retires ids; 404 from Gemini means: change this.</summary>
    [Required(ErrorMessage = "Set Gemini__Model: the Gemini image model id (e.g. gemini-2.5-flash-image).")]
    public string Model { get; set; } = "gemini-2.5-flash-image";

    /// <summary>Other model ids a request may ask for by name (its <c>model</c> field).</summary>
    public string[] AllowedModels { get; set; } = [];

    /// <summary>
    /// Models that accept imageConfig.imageSize (1K/2K/4K); others get no imageSize. When none are set:
    /// gemini-3-pro-image-preview and gemini-3.1-flash-image (empty by default because the
    /// configuration binder appends to a non-empty default instead of replacing it).
    /// </summary>
    public string[] ImageSizeModels { get; set; } = [];

    /// <summary>
    /// The server's Developer API key (x-goog-api-key), used when a request brings no personal key.
    /// Optional: without it every create must send X-Gemini-Api-Key. In Azure use a Key Vault reference.
    /// </summary>
    public string? ApiKey { get; set; }

    public string DeveloperBaseUrl { get; set; } = "https://generativelanguage.googleapis.com";

    public string? VertexProjectId { get; set; }

    /// <summary>Vertex location; "global" uses aiplatform.googleapis.com, others {location}-aiplatform.googleapis.com.</summary>
    public string VertexLocation { get; set; } = "global";

    /// <summary>Overrides the Vertex host (tests, private endpoints); normally derived from the location.</summary>
    public string? VertexBaseUrl { get; set; }

    /// <summary>A service-account key file; without it (and the two below), Application Default Credentials are used.</summary>
    public string? VertexCredentialsFile { get; set; }

    /// <summary>A service-account key file's JSON itself (in Azure: a Key Vault reference), where no file can be placed.</summary>
    public string? VertexCredentialsJson { get; set; }

    /// <summary>
    /// Keyless Vertex AI from Azure: the Google workload identity provider
    /// (//iam.googleapis.com/projects/&lt;number&gt;/locations/global/workloadIdentityPools/&lt;pool&gt;/providers/&lt;provider&gt;)
    /// that trusts this app's managed identity. Its Entra token is exchanged at Google STS.
    /// </summary>
    public string? VertexWorkloadIdentityProvider { get; set; }

    /// <summary>The Entra application ID URI the managed identity gets its token for: the provider's allowed audience.</summary>
    public string VertexAzureAppIdUri { get; set; } = "api://AzureADTokenExchange";

    /// <summary>With workload identity, a Google service account to impersonate (optional: the federated identity may hold the roles itself).</summary>
    public string? VertexServiceAccountEmail { get; set; }

    /// <summary>
    /// How long one generateContent request may take, for models not in <see cref="ModelTimeouts"/>
    /// (the flash image models): Google's flash image calls usually take 5-30 s, and slow hours have
    /// stretched them to 2-4 minutes. The worker's lease heartbeat keeps the claim for as long as this.
    /// </summary>
    [Range(1, 1800)]
    public int AttemptTimeoutSeconds { get; set; } = 180;

    /// <summary>
    /// Models that need another timeout than <see cref="AttemptTimeoutSeconds"/>. When none are set:
    /// gemini-3-pro-image-preview, 300 s (it thinks, drafts interim images, and renders up to 4K).
    /// Empty by default because the configuration binder appends to a non-empty default.
    /// </summary>
    public ModelTimeout[] ModelTimeouts { get; set; } = [];

    /// <summary>
    /// Paid generateContent calls one run of a generation (its create, or a retry by its owner) may
    /// make, whatever crashes or redelivers: each is reserved in the row before it is sent.
    /// </summary>
    [Range(1, 20)]
    public int MaxCallsPerRun { get; set; } = 3;

    /// <summary>
    /// Retries within one call, only of what certainly started no work at Google: a connection
    /// refused, a 429 (not the per-day quota) or 503 answer. A timeout or a cut connection is never
    /// repeated within a call; the next attempt of the run does that, within the budget.
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Range(0, 60_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The longest wait between retries within a call. When Google asks for a longer one
    /// (RetryInfo.retryDelay, Retry-After), the call ends and the next attempt waits it instead.
    /// </summary>
    [Range(0, 600)]
    public int RetryMaxDelaySeconds { get; set; } = 10;

    /// <summary>How long the simulated backend takes per image.</summary>
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
    public string Model { get; set; } = "";

    public int Seconds { get; set; }
}
