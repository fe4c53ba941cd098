using System.Globalization;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Realtime;

/// <summary>
/// A notification on <see cref="PostgresListener.VersionChannel"/> (migration 017): a generation's new
/// version with its owner, status and queue place; a generation deleted; or rows gone unannounced.
/// </summary>
internal abstract record VersionNotice
{
    private const string Deleted = "deleted";
    private const string PurgePayload = "purge";

    /// <summary>Null for a payload this version does not understand (a later migration's); the listener then forgets everything.</summary>
    public static VersionNotice? Parse(string payload)
    {
        if (payload == PurgePayload)
        {
            return new Purge();
        }

        // "<id>:<version>:<status>:<queued at, µs since 1970>:<owner>" or "<id>:deleted"; the owner is last as it may hold ':'.
        var parts = payload.Split(':', 5);
        if (!Guid.TryParse(parts[0], out var id))
        {
            return null;
        }

        if (parts is [_, Deleted])
        {
            return new Gone(id);
        }

        return parts is [_, var version, var status, var queuedAt, var owner]
               && long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
               && GenerationStatuses.TryParse(status, out var parsedStatus)
               && long.TryParse(queuedAt, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros)
               && owner.Length > 0
            ? new Changed(id, owner, new GenerationVersion(number, parsedStatus, DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond)))
            : null;
    }

    public sealed record Changed(Guid Id, string OwnerId, GenerationVersion Version) : VersionNotice;

    public sealed record Gone(Guid Id) : VersionNotice;

    public sealed record Purge : VersionNotice;
}
