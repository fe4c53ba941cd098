using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Outbound;

/// <summary>
/// Where the app may send requests its callers name (webhook URLs, push endpoints): https to public
/// addresses only, never to the app's own network, the loopback, link-local or the cloud's metadata
/// endpoints. Checked on the name's DNS answers when the URL is given, and again at connect time on
/// the addresses actually connected to (<see cref="CreateHandler"/>), so a name that later resolves
/// elsewhere (DNS rebinding) is refused too.
/// </summary>
public sealed class OutboundTargets(IOptions<OutboundOptions> options)
{
    private bool AllowLoopback => options.Value.AllowLoopback;

    /// <summary>Why the app will not send to <paramref name="url"/>, or null when it will.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken ct)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.UserInfo))
        {
            return "it must be an absolute https URL without credentials";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, ct);
        }
        catch (SocketException)
        {
            return $"its host {url.Host} does not resolve";
        }

        if (addresses.Length == 0 || !addresses.All(IsAllowed))
        {
            return $"its host {url.Host} is not a public address";
        }

        return url.Scheme == "https" || addresses.All(IPAddress.IsLoopback) ? null : "it must use https";
    }

    /// <summary>Whether a connection to <paramref name="address"/> is allowed.</summary>
    public bool IsAllowed(IPAddress address) =>
        IPAddress.IsLoopback(address) ? AllowLoopback : OutboundAddresses.IsPublic(address);

    /// <summary>A handler that connects only to allowed addresses (checked on the resolved address it connects to) and never follows redirects.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        // A proxy (HTTPS_PROXY, or the system's) would make the connection, to wherever the URL says, past the check below.
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            var allowed = (await ResolveAsync(context.DnsEndPoint.Host, ct)).Where(IsAllowed).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no address this app may connect to.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
}
