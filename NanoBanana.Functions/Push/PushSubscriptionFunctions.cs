using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Outbound;

namespace NanoBanana.Functions.Push;

/// <summary>
/// The caller's browsers, for Web Push: the key a page subscribes with, and subscribing or
/// unsubscribing a browser (the body of POST is the browser's PushSubscription.toJSON()).
/// </summary>
public sealed class PushSubscriptionFunctions(
    ICallerAuthenticator authenticator,
    SubscriberStore store,
    OutboundTargets outbound,
    IOptions<PushOptions> options,
    TimeProvider clock)
{
    [Function("GetVapidPublicKey")]
    public async Task<Ok<VapidKeyResponse>> PublicKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "push/vapid-public-key")] HttpRequest request, CancellationToken ct)
    {
        await authenticator.AuthenticateAsync(request, ct);
        return TypedResults.Ok(new VapidKeyResponse(EnabledOptions().VapidPublicKey!));
    }

    [Function("SavePushSubscription")]
    public async Task<Results<Created<PushSubscriptionResponse>, Ok<PushSubscriptionResponse>>> Save(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "push-subscriptions")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        EnabledOptions();
        var body = await JsonBody.ReadAsync<PushSubscriptionRequest>(request, 16 * 1024, ct);
        var (endpoint, p256dh, auth) = Validate(body);
        if (!options.Value.IsAllowedEndpointHost(endpoint.IdnHost))
        {
            throw Problems.Invalid("endpoint", ProblemCodes.PushEndpointNotAllowed,
                $"The push endpoint's host {endpoint.IdnHost} is not a known push service's (Push__ExtraEndpointHosts adds one).");
        }

        if (await outbound.RefusalAsync(endpoint, ct) is { } why)
        {
            throw Problems.Invalid("endpoint", ProblemCodes.PushEndpointNotAllowed, $"The push endpoint is not allowed: {why}.");
        }

        var (id, created) = await store.SavePushSubscriptionAsync(caller.UserId, endpoint.AbsoluteUri, p256dh, auth, options.Value.MaxSubscriptionsPerUser, clock.GetUtcNow(), ct)
            ?? throw Problems.TooManyPushSubscriptions(options.Value.MaxSubscriptionsPerUser);
        var response = new PushSubscriptionResponse(id, endpoint.AbsoluteUri);
        return created ? TypedResults.Created((string?)null, response) : TypedResults.Ok(response);
    }

    /// <summary>DELETE /push-subscriptions?endpoint=...: the browser unsubscribed (or the person signed out).</summary>
    [Function("DeletePushSubscription")]
    public async Task<NoContent> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "push-subscriptions")] HttpRequest request, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateAsync(request, ct);
        if (request.Query["endpoint"].ToString() is not { Length: > 0 } endpoint)
        {
            throw Problems.Invalid("endpoint", ProblemCodes.InvalidPushSubscription, "Name the subscription to delete: ?endpoint=<its endpoint URL>.");
        }

        if (!await store.DeletePushSubscriptionAsync(caller.UserId, Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.AbsoluteUri : endpoint, ct))
        {
            throw Problems.PushSubscriptionNotFound();
        }

        return TypedResults.NoContent();
    }

    private PushOptions EnabledOptions() => options.Value.Enabled ? options.Value : throw Problems.PushNotConfigured();

    private static (Uri Endpoint, string P256dh, string Auth) Validate(PushSubscriptionRequest body)
    {
        var errors = new List<FieldError>();
        Uri? endpoint = null;
        if (body.Endpoint is not { Length: > 0 and <= 2048 } text || !Uri.TryCreate(text, UriKind.Absolute, out endpoint))
        {
            errors.Add(new("endpoint", ProblemCodes.InvalidPushSubscription, "endpoint must be the absolute URL the browser gave (at most 2048 characters)."));
        }

        if (!PushOptions.IsKey(body.Keys?.P256dh, 65))
        {
            errors.Add(new("keys.p256dh", ProblemCodes.InvalidPushSubscription, "keys.p256dh must be the browser's P-256 public key, base64url (65 bytes)."));
        }

        if (!PushOptions.IsKey(body.Keys?.Auth, 16))
        {
            errors.Add(new("keys.auth", ProblemCodes.InvalidPushSubscription, "keys.auth must be the browser's auth secret, base64url (16 bytes)."));
        }

        return errors.Count > 0 ? throw Problems.Validation(errors) : (endpoint!, body.Keys!.P256dh!, body.Keys!.Auth!);
    }
}

/// <summary>A browser's PushSubscription as JSON (endpoint, expirationTime, keys).</summary>
public sealed class PushSubscriptionRequest
{
    public string? Endpoint { get; set; }

    public long? ExpirationTime { get; set; }

    public PushSubscriptionKeys? Keys { get; set; }
}

public sealed class PushSubscriptionKeys
{
    public string? P256dh { get; set; }

    public string? Auth { get; set; }
}

public sealed record PushSubscriptionResponse(Guid Id, string Endpoint);

public sealed record VapidKeyResponse(string PublicKey);
