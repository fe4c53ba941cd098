using System.ComponentModel;
namespace NanoBanana.Functions.Outbound;

public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    [Description("Lets webhooks and push reach loopback addresses, over http too: local development and tests only (refuses to start in Azure).")]
    public bool AllowLoopback { get; set; }
}
