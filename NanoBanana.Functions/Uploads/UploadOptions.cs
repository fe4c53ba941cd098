using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Uploads;

/// <summary>References uploaded straight to Blob Storage (POST /api/uploads, the Valet Key pattern).</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    [Description("The blob container the phone uploads reference images to, one blob per upload named after its id (created at start-up). Apart from the image container, whose orphan sweep knows only generation names.")]
    [Required(ErrorMessage = "Set Uploads__Container: the blob container for uploaded references (e.g. reference-uploads).")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Uploads__Container must be a valid container name: 3-63 lower-case letters, digits and single hyphens.")]
    public string Container { get; set; } = "reference-uploads";

    [Description("How long an upload URL (a write-only SAS for one blob) stays valid: long enough for a slow phone network to send 7 MB in blocks, short enough that a leaked URL is soon useless.")]
    [Range(1, 60)]
    public int UrlMinutes { get; set; } = 15;

    [Description("How long the read-only URL of an uploaded reference given to Gemini (`Gemini__InputsByUrl`) stays valid.")]
    [Range(1, 60)]
    public int ReadUrlMinutes { get; set; } = 10;

    [Description("The largest upload a client may declare, in bytes; a create checks the blob has exactly the declared size.")]
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBytes { get; set; } = 7 * 1024 * 1024;

    [Description("An upload that no generation refers to is deleted (row and blob) by the daily cleanup once it is this old.")]
    [Range(1, 10_080)]
    public int UnusedRetentionMinutes { get; set; } = 60;

    [Description("Origins a browser may upload from (CORS of the blob service); none listed: any origin (`*`). Applied at start-up on Azurite only; in Azure infra/ sets the storage account's CORS from the `allowedOrigins` parameter.")]
    public string[] CorsOrigins { get; set; } = [];

    public TimeSpan UrlLifetime => TimeSpan.FromMinutes(UrlMinutes);

    public TimeSpan ReadUrlLifetime => TimeSpan.FromMinutes(ReadUrlMinutes);

    public TimeSpan UnusedRetention => TimeSpan.FromMinutes(UnusedRetentionMinutes);
}
