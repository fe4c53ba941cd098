using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// A push service (RFC 8030) over real local HTTP, strict the way FCM or Mozilla's are: each message
/// must carry a VAPID JWT (RFC 8292, ES256, aud = this service's origin, signed by the key in k) and a
/// body that decrypts (RFC 8291 aes128gcm) with the keys of the browser it is addressed to. What passes
/// is kept, decrypted; what does not is refused and kept as a failure. Written by hand: the decrypting
/// side of RFC 8291 is the browser's, and no .NET package does it.
/// </summary>
internal sealed class FakePushService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeBrowser> _browsers = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _answers = new();
    private readonly ConcurrentQueue<ReceivedPush> _received = new();
    private readonly ConcurrentQueue<string> _refused = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();

    private FakePushService(WebApplication app, string origin)
    {
        _app = app;
        Origin = origin;
    }

    public string Origin { get; }

    public IReadOnlyList<ReceivedPush> Received => [.. _received];

    /// <summary>Why messages were refused (a bad JWT, a body that does not decrypt).</summary>
    public IReadOnlyList<string> Refused => [.. _refused];

    public static async Task<FakePushService> StartAsync()
    {
        FakePushService? service = null;
        // Port 80 of an address of its own in 127/8: a push service's origin has no port, as the
        // library's VAPID audience has none (real push services are on https's default port).
        var host = $"127.{RandomNumberGenerator.GetInt32(1, 255)}.{RandomNumberGenerator.GetInt32(0, 256)}.{RandomNumberGenerator.GetInt32(1, 255)}";
        var (app, _) = await LoopbackServer.StartAsync(web => web.MapPost("/push/{id}", (string id, HttpRequest request) => service!.ReceiveAsync(id, request)), $"http://{host}:80");
        service = new FakePushService(app, $"http://{host}");
        return service;
    }

    /// <summary>A browser subscribed with this service: its endpoint and fresh RFC 8291 keys.</summary>
    public FakeBrowser NewBrowser()
    {
        var browser = FakeBrowser.Create($"{Origin}/push/{Guid.NewGuid():N}");
        _browsers[browser.Id] = browser;
        return browser;
    }

    /// <summary>The next answers for this browser's endpoint (then 201 Created).</summary>
    public void AnswerWith(FakeBrowser browser, params int[] statuses) => _answers[browser.Id] = new ConcurrentQueue<int>(statuses);

    public int RequestsFor(FakeBrowser browser) => _requests.GetValueOrDefault(browser.Id);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _hanging = new();

    /// <summary>This browser's push service takes requests and never answers, until <see cref="Release"/>.</summary>
    public void Hang(FakeBrowser browser) => _hanging[browser.Id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(FakeBrowser browser)
    {
        if (_hanging.TryRemove(browser.Id, out var hung))
        {
            hung.TrySetResult();
        }
    }

    private async Task<IResult> ReceiveAsync(string id, HttpRequest request)
    {
        _requests.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (_hanging.TryGetValue(id, out var hung))
        {
            // Held until released or the sender gives up; either way this request delivers nothing.
            await Task.WhenAny(hung.Task, Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted));
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        if (_answers.TryGetValue(id, out var answers) && answers.TryDequeue(out var status))
        {
            return Results.StatusCode(status);
        }

        if (!_browsers.TryGetValue(id, out var browser))
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        try
        {
            var claims = await VerifyVapidAsync(request.Headers.Authorization.ToString());
            if (request.Headers.ContentEncoding.ToString() != "aes128gcm" || !request.Headers.ContainsKey("TTL"))
            {
                throw new InvalidOperationException("Content-Encoding must be aes128gcm and TTL present");
            }

            var payload = JsonDocument.Parse(browser.Decrypt(body.ToArray())).RootElement.Clone();
            _received.Enqueue(new ReceivedPush(browser, payload, claims, request.Headers["Topic"].ToString(), request.Headers["Urgency"].ToString()));
            return Results.StatusCode(StatusCodes.Status201Created);
        }
        catch (Exception exception)
        {
            _refused.Enqueue(exception.Message);
            return Results.StatusCode(StatusCodes.Status400BadRequest);
        }
    }

    // RFC 8292 section 3: "vapid t=<JWT>, k=<the signer's public key, base64url uncompressed P-256>".
    private async Task<IReadOnlyDictionary<string, object>> VerifyVapidAsync(string authorization)
    {
        if (!authorization.StartsWith("vapid ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"not a vapid Authorization header: {authorization}");
        }

        var parameters = authorization["vapid ".Length..].Split(',').Select(p => p.Trim().Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var key = WebEncoders.Base64UrlDecode(parameters["k"]);
        var signer = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = key[1..33], Y = key[33..65] } });
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(parameters["t"], new TokenValidationParameters
        {
            IssuerSigningKey = new ECDsaSecurityKey(signer),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidAudience = Origin,
            ValidateIssuer = false,
            RequireExpirationTime = true,
        });
        return result.IsValid ? result.Claims.ToDictionary(c => c.Key, c => c.Value) : throw new InvalidOperationException($"VAPID JWT refused: {result.Exception?.Message} (aud {new JsonWebToken(parameters["t"]).Audiences.FirstOrDefault()})");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A browser's side of a push subscription: the endpoint, its P-256 key pair and auth secret (RFC 8291).</summary>
internal sealed class FakeBrowser
{
    private readonly ECDiffieHellman _key;

    private FakeBrowser(string endpoint, ECDiffieHellman key, byte[] auth)
    {
        Endpoint = endpoint;
        _key = key;
        Auth = auth;
        var q = key.ExportParameters(false).Q;
        PublicKey = [0x04, .. q.X!, .. q.Y!];
    }

    public string Endpoint { get; }

    public string Id => Endpoint[(Endpoint.LastIndexOf('/') + 1)..];

    public byte[] PublicKey { get; }

    public byte[] Auth { get; }

    /// <summary>As PushSubscription.toJSON() gives it to a page.</summary>
    public object ToJson() => new { endpoint = Endpoint, expirationTime = (long?)null, keys = new { p256dh = WebEncoders.Base64UrlEncode(PublicKey), auth = WebEncoders.Base64UrlEncode(Auth) } };

    public static FakeBrowser Create(string endpoint) =>
        new(endpoint, ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256), RandomNumberGenerator.GetBytes(16));

    /// <summary>RFC 8291 section 3.4 and RFC 8188: one aes128gcm record, keyed from ECDH with the sender's key and the auth secret.</summary>
    public byte[] Decrypt(byte[] body)
    {
        var salt = body[..16];
        var idLength = body[20];
        var senderKey = body[21..(21 + idLength)];
        var ciphertext = body[(21 + idLength)..];

        using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = senderKey[1..33], Y = senderKey[33..65] } });
        var shared = _key.DeriveRawSecretAgreement(sender.PublicKey);
        var keyInfo = (byte[])[.. "WebPush: info\0"u8, .. PublicKey, .. senderKey];
        var ikm = HKDF.Expand(HashAlgorithmName.SHA256, HKDF.Extract(HashAlgorithmName.SHA256, shared, Auth), 32, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var contentKey = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, "Content-Encoding: aes128gcm\0"u8.ToArray());
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, "Content-Encoding: nonce\0"u8.ToArray());

        var plaintext = new byte[ciphertext.Length - 16];
        using var aes = new AesGcm(contentKey, 16);
        aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plaintext);
        var end = Array.FindLastIndex(plaintext, b => b != 0);
        if (end < 0 || plaintext[end] != 0x02)
        {
            throw new InvalidOperationException("no last-record delimiter (0x02) after the payload");
        }

        return plaintext[..end];
    }

    public override string ToString() => Endpoint;
}

/// <param name="Payload">The decrypted message.</param>
/// <param name="Vapid">The VAPID JWT's claims, verified.</param>
internal sealed record ReceivedPush(FakeBrowser Browser, JsonElement Payload, IReadOnlyDictionary<string, object> Vapid, string Topic, string Urgency);
