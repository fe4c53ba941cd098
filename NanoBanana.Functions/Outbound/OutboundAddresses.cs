using System.Net;
using System.Net.Sockets;

namespace NanoBanana.Functions.Outbound;

/// <summary>Which IP addresses are on the public internet, by the IANA special-purpose registries.</summary>
public static class OutboundAddresses
{
    private static readonly IPNetwork[] NotPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network"
        IPNetwork.Parse("10.0.0.0/8"),         // private
        IPNetwork.Parse("100.64.0.0/10"),      // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),        // loopback
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, incl. the cloud metadata endpoint 169.254.169.254
        IPNetwork.Parse("172.16.0.0/12"),      // private
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),       // documentation
        IPNetwork.Parse("192.168.0.0/16"),     // private
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),    // documentation
        IPNetwork.Parse("203.0.113.0/24"),     // documentation
        IPNetwork.Parse("224.0.0.0/3"),        // multicast, reserved, broadcast
        IPNetwork.Parse("168.63.129.16/32"),   // Azure's platform endpoint (wire server, DNS)
        IPNetwork.Parse("::/96"),              // IPv4-compatible (deprecated), and the unspecified and loopback addresses in it
        IPNetwork.Parse("::ffff:0:0/96"),      // IPv4-mapped: a public IPv4 address is reached as itself, never through this form
        IPNetwork.Parse("::ffff:0:0:0/96"),    // IPv4-translated (SIIT)
        IPNetwork.Parse("2001::/32"),          // Teredo: tunnels to an IPv4 address embedded in it
        IPNetwork.Parse("2002::/16"),          // 6to4: tunnels to an IPv4 address embedded in it
        IPNetwork.Parse("64:ff9b::/96"),       // NAT64: would reach any IPv4 address
        IPNetwork.Parse("64:ff9b:1::/48"),     // local NAT64
        IPNetwork.Parse("100::/64"),           // discard
        IPNetwork.Parse("2001:db8::/32"),      // documentation
        IPNetwork.Parse("fc00::/7"),           // unique local (ULA)
        IPNetwork.Parse("fe80::/10"),          // link-local
        IPNetwork.Parse("fec0::/10"),          // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),           // multicast
        IPNetwork.Parse("fd00:ec2::254/128"),  // a cloud metadata endpoint over IPv6
    ];

    /// <remarks>
    /// Forms of IPv6 that carry an IPv4 address inside them (mapped, compatible, 6to4, Teredo, NAT64) are refused
    /// whole rather than judged by the address they carry: a relay or a dual-stack socket could reach a private
    /// IPv4 address through them, and a public IPv4 destination is always reachable as plain IPv4.
    /// </remarks>
    public static bool IsPublic(IPAddress address)
    {
        // Said explicitly: IPNetwork does not match a mapped address against ::ffff:0:0/96.
        return !address.IsIPv4MappedToIPv6
               && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
               && !NotPublic.Any(range => range.Contains(address));
    }
}
