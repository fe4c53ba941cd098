using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Economy;

/// <summary>The economy lane: generations run through Gemini's Batch API at half price, with a promised latest finish.</summary>
public sealed class EconomyOptions : IValidatableObject
{
    public const string Section = "Economy";

    [Description("Whether a create may ask for `speed: \"economy\"`. Needs `Gemini__Backend` Developer (the Batch API and Files API of the Gemini Developer API) and the server's key (`Gemini__ApiKey`): with another backend `/api/models` says no model supports it and such a create is refused (`economy_unavailable`).")]
    public bool Enabled { get; set; } = true;

    [Description("The promise when a create names no `maxWaitHours`: the latest finish, in hours from the create.")]
    [Range(1, 72)]
    public int DefaultMaxWaitHours { get; set; } = 24;

    [Description("The largest `maxWaitHours` a create may ask for. Google's batch target is 24 h and a job expires after 48 h with nothing returned.")]
    [Range(1, 72)]
    public int MaxWaitHours { get; set; } = 48;

    [Description("Requests per batch job at most (one model per job). Small shards: one bad job loses little.")]
    [Range(1, 1000)]
    public int MaxRequestsPerJob { get; set; } = 20;

    [Description("A job is submitted once `MaxRequestsPerJob` generations wait for it, or once the oldest has waited this long.")]
    [Range(0, 1440)]
    public int GatherMinutes { get; set; } = 5;

    [Description("How often each open job's state is asked of Google (the economy sweep runs on `Maintenance__RepairSchedule`).")]
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 60;

    [Description("A generation still unfinished this long before its promise is promoted to the standard lane and runs now, at full price: longer than a standard run takes with its retries, and under the shortest promise (1 hour).")]
    [Range(1, 59)]
    public int PromoteAheadMinutes { get; set; } = 30;

    [Description("A job Google still reports PENDING this long after its submit is given up: it is cancelled at Google (best effort) and its generations promoted.")]
    [Range(1, 72)]
    public int StuckPendingHours { get; set; } = 12;

    [Description("Tries at reading a succeeded job's results file (a download cut mid-way is read again at the next poll); past them its unfinished generations are promoted.")]
    [Range(1, 100)]
    public int MaxResultReads { get; set; } = 5;

    [Description("How long a batcher or follower holds a job (and a result claim its row) before another instance may take it over after a crash.")]
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 120;

    [Description("Pages of Google's batch list read, when a crash left a job whose submit was not recorded, to find it by its display name before submitting it again.")]
    [Range(1, 100)]
    public int RecoveryListPages { get; set; } = 10;

    [Description("The signing secret of a static Gemini API webhook (`whsec_` and base64, shown once when the webhook is created; docs/DEPLOY.md says how). Set, `POST /api/gemini/webhooks` takes Google's signed `batch.*` events and the follower asks Google about that job at once instead of at its next poll; unset, that endpoint answers 404 and jobs are only polled. Polling every `Economy__PollSeconds` stays the fallback either way. In Azure a Key Vault reference.")]
    public string? WebhookSecret { get; set; }

    public bool WebhooksEnabled => !string.IsNullOrEmpty(WebhookSecret);

    /// <summary>The HMAC key of <see cref="WebhookSecret"/>: the base64 after the optional <c>whsec_</c> prefix (Standard Webhooks).</summary>
    public byte[] WebhookKey() => Convert.FromBase64String(WebhookSecret!.StartsWith(WebhookSecretPrefix, StringComparison.Ordinal)
        ? WebhookSecret[WebhookSecretPrefix.Length..]
        : WebhookSecret);

    public const string WebhookSecretPrefix = "whsec_";

    /// <summary>Google's batch price as a share of the standard price (ai.google.dev pricing: 50%).</summary>
    public const decimal BatchPriceShare = 0.5m;

    public TimeSpan DefaultMaxWait => TimeSpan.FromHours(DefaultMaxWaitHours);

    public TimeSpan GatherWait => TimeSpan.FromMinutes(GatherMinutes);

    public TimeSpan Poll => TimeSpan.FromSeconds(PollSeconds);

    public TimeSpan PromoteAhead => TimeSpan.FromMinutes(PromoteAheadMinutes);

    public TimeSpan StuckPending => TimeSpan.FromHours(StuckPendingHours);

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WebhooksEnabled && !WebhookKeyIsValid())
        {
            // The value itself is never in the message: it is a secret.
            yield return new ValidationResult(
                "Economy__WebhookSecret must be the signing secret Google returned for the webhook: whsec_ followed by base64 of at least 16 bytes.");
        }

        if (DefaultMaxWaitHours > MaxWaitHours)
        {
            yield return new ValidationResult(
                $"Economy__DefaultMaxWaitHours ({DefaultMaxWaitHours}) is above Economy__MaxWaitHours ({MaxWaitHours}): the default promise must be one a create may ask for.");
        }
    }

    private bool WebhookKeyIsValid()
    {
        try
        {
            return WebhookKey().Length >= 16;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
