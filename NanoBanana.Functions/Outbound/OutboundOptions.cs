namespace NanoBanana.Functions.Outbound;

public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>
    /// Lets webhooks and push go to loopback addresses, over http too: local development and tests only
    /// (the app refuses to start with it in Azure).
    /// </summary>
    public bool AllowLoopback { get; set; }
}
