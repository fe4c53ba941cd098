using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    [Description("The longest prompt a create accepts, in characters (400 prompt_too_long).")]
    [Range(1, 100_000)]
    public int MaxPromptLength { get; set; } = 10_000;

    [Description("Decoded bytes per input image; Gemini's inline limit is 7 MB.")]
    [Range(1, 7 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 7 * 1024 * 1024;

    [Description("The whole request body in bytes (413 `payload_too_large` over it): the app's cap while reading and the worker's Kestrel `MaxRequestBodySize`, one setting. 3 base64 references of 7 MB plus the prompt fit; how many references a model takes is the model catalog's.")]
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 30 * 1024 * 1024;

    [Description("The JSON of a create request apart from its base64 image data, in bytes (413 fields_too_large): far below the body cap, so a body of unknown members, a huge prompt or a flood of array items is refused after reading a little of it. 10,000 prompt characters written as \\uXXXX escapes take 60,000.")]
    [Range(1024, 1024 * 1024)]
    public int MaxFieldBytes { get; set; } = 128 * 1024;

    [Description("The poll hint (Retry-After, pollAfterSeconds) while a generation is not finished.")]
    [Range(1, 300)]
    public int PollAfterSeconds { get; set; } = 10;

    [Description("The longest a long-poll (Prefer: wait=N, RFC 7240) is held: well under Azure's 230 s HTTP limit. 0 turns long-polling off (Prefer is then ignored, as the RFC allows).")]
    [Range(0, 200)]
    public int MaxWaitSeconds { get; set; } = 50;

    [Description("Long-polls one user may hold open at once on an instance; past it a `Prefer: wait` request is answered at once, without `Preference-Applied`.")]
    [Range(1, 1000)]
    public int MaxWaitsPerUser { get; set; } = 10;

    [Description("Long-polls an instance holds open at once, all users together (keep it below the instance's HTTP concurrency, infra's `maximumInstanceHttpConcurrency`, so ordinary requests always find a slot); past it requests are answered at once.")]
    [Range(1, 100_000)]
    public int MaxWaitsPerInstance { get; set; } = 200;

    [Description("The longest deadline a create may ask for (`deadlineSeconds` or `Cancel-After`), in seconds; over it, 400 `invalid_deadline`.")]
    [Range(RequestDeadline.MinSeconds, 7 * 86_400)]
    public int MaxDeadlineSeconds { get; set; } = 86_400;

    [Description("History items per page when a request names no limit.")]
    [Range(1, 100)]
    public int DefaultPageSize { get; set; } = 20;

    [Description("The largest limit a history request may ask for.")]
    [Range(1, 100)]
    public int MaxPageSize { get; set; } = 100;
}
