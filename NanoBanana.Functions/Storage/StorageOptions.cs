using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// The generations queue. The queue trigger reads the same setting (%Storage:QueueName%), so the
    /// host and this code always agree on it.
    /// </summary>
    [Required(ErrorMessage = "Set Storage__QueueName: the name of the generations queue (e.g. generations).")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage__QueueName must be a valid queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string QueueName { get; set; } = "";

    /// <summary>The blob container holding input and result images.</summary>
    [Required(ErrorMessage = "Set Storage__ImageContainer: the blob container for images (e.g. generation-images).")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage__ImageContainer must be a valid container name: 3-63 lower-case letters, digits and single hyphens.")]
    public string ImageContainer { get; set; } = "generation-images";

    /// <summary>Per-try network timeout for storage calls made while a client waits.</summary>
    [Range(1, 120)]
    public int NetworkTimeoutSeconds { get; set; } = 10;

    /// <summary>Retries per storage call; kept low so a request fails fast and the repair sweep takes over.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;
}
