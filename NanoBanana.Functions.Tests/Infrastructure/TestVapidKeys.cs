using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>A fresh VAPID key pair (P-256), in the base64url forms the Push__Vapid* settings take.</summary>
internal static class TestVapidKeys
{
    public const string Subject = "mailto:push-tests@nanobanana.test";

    public static (string PublicKey, string PrivateKey) Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(true);
        return (WebEncoders.Base64UrlEncode([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), WebEncoders.Base64UrlEncode(parameters.D!));
    }

    /// <summary>Settings that turn push on, with loopback push services allowed (and <paramref name="pushHost"/> as a push service).</summary>
    public static void Enable(Dictionary<string, string?> settings, string publicKey, string privateKey, string? pushHost = null)
    {
        settings["Push:ExtraEndpointHosts:0"] = "127.0.0.1";
        settings["Push:ExtraEndpointHosts:1"] = pushHost;
        settings["Push:VapidSubject"] = Subject;
        settings["Push:VapidPublicKey"] = publicKey;
        settings["Push:VapidPrivateKey"] = privateKey;
        settings["Push:RetryBaseDelayMilliseconds"] = "1";
        settings["Outbound:AllowLoopback"] = "true";
    }
}
