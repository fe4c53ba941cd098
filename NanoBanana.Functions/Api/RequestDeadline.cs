using System.Globalization;
using System.Text.RegularExpressions;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>
/// The caller's deadline for a create: <c>deadlineSeconds</c> in the body, or the <c>Cancel-After</c>
/// header spelled as Replicate spells it (a number of seconds, or whole units: <c>90</c>, <c>40s</c>,
/// <c>6m</c>, <c>1h30m</c>, <c>1d</c>). Counted from the create; at least <see cref="MinSeconds"/>
/// (a shorter one could not even reach a worker), at most Api__MaxDeadlineSeconds.
/// </summary>
public static partial class RequestDeadline
{
    public const int MinSeconds = 5;

    /// <summary>The deadline asked for (null: none), or the field errors that say why it cannot be taken.</summary>
    public static TimeSpan? Parse(int? deadlineSeconds, string? cancelAfter, int maxSeconds, List<FieldError> errors)
    {
        long? fromBody = deadlineSeconds;
        long? fromHeader = null;
        if (cancelAfter is not null)
        {
            fromHeader = HeaderSeconds(cancelAfter);
            if (fromHeader is null)
            {
                errors.Add(new(RequestHeaders.CancelAfter, ProblemCodes.InvalidDeadline,
                    "Cancel-After must be seconds (90) or whole units of s, m, h, d (40s, 6m, 1h30m, 1d)."));
                return null;
            }
        }

        if (fromBody is not null && fromHeader is not null && fromBody != fromHeader)
        {
            errors.Add(new("deadlineSeconds", ProblemCodes.InvalidDeadline,
                $"deadlineSeconds ({fromBody}) and Cancel-After ({fromHeader} s) disagree; send one of them."));
            return null;
        }

        if ((fromBody ?? fromHeader) is not { } seconds)
        {
            return null;
        }

        if (seconds < MinSeconds || seconds > maxSeconds)
        {
            errors.Add(new(fromBody is not null ? "deadlineSeconds" : RequestHeaders.CancelAfter, ProblemCodes.InvalidDeadline,
                $"The deadline must be {MinSeconds}-{maxSeconds} seconds; it is {seconds}."));
            return null;
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static long? HeaderSeconds(string value)
    {
        value = value.Trim();
        if (value.Length is 0 or > 32)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var plain))
        {
            return plain;
        }

        var match = Units().Match(value);
        if (!match.Success)
        {
            return null;
        }

        long total = 0;
        for (var i = 0; i < match.Groups["n"].Captures.Count; i++)
        {
            if (!long.TryParse(match.Groups["n"].Captures[i].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000_000)
            {
                return null;
            }

            total += n * match.Groups["u"].Captures[i].Value switch { "d" => 86_400, "h" => 3_600, "m" => 60, _ => 1 };
        }

        return total;
    }

    [GeneratedRegex("^(?:(?<n>[0-9]{1,9})(?<u>[smhd]))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Units();
}
