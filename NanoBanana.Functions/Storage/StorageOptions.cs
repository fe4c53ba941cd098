using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    [Description("The generations queue. The app creates it, its `-poison` queue and the notification queues (`{name}-notifications`, and its `-poison`) at start-up.")]
    [Required(ErrorMessage = "Set Storage__QueueName: the name of the generations queue (e.g. generations).")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage__QueueName must be a valid queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string QueueName { get; set; } = "";

    [Description("The blob container for input and result images (created at start-up).")]
    [Required(ErrorMessage = "Set Storage__ImageContainer: the blob container for images (e.g. generation-images).")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage__ImageContainer must be a valid container name: 3-63 lower-case letters, digits and single hyphens.")]
    public string ImageContainer { get; set; } = "generation-images";

    [Description("Per-try network timeout of the storage calls made while a client waits: they fail fast and the repair sweep takes over.")]
    [Range(1, 120)]
    public int NetworkTimeoutSeconds { get; set; } = 10;

    [Description("Retries per storage call, kept low for the same reason.")]
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;
}
