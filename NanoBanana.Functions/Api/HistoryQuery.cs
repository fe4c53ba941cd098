using System.Globalization;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Http;

namespace NanoBanana.Functions.Api;

/// <summary>The query string of GET /generations: status filter, page size and cursor, validated.</summary>
public sealed record HistoryQuery(GenerationStatus? Status, int Limit, HistoryPosition? After)
{
    public static HistoryQuery Parse(IQueryCollection query, ApiOptions options)
    {
        var errors = new List<FieldError>();

        GenerationStatus? status = null;
        if (query["status"].ToString() is { Length: > 0 } statusText)
        {
            if (GenerationStatuses.TryParse(statusText, out var parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add(new("status", ProblemCodes.InvalidStatus,
                    "status must be one of pending, processing, completed, failed, cancelled."));
            }
        }

        var limit = options.DefaultPageSize;
        if (query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > options.MaxPageSize))
        {
            errors.Add(new("limit", ProblemCodes.InvalidLimit, $"limit must be a whole number from 1 to {options.MaxPageSize}."));
        }

        HistoryPosition? after = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursorText)
        {
            if (HistoryCursor.TryDecode(cursorText, out var position))
            {
                after = position;
            }
            else
            {
                errors.Add(new("cursor", ProblemCodes.InvalidCursor, "cursor must be a nextCursor value returned by this API."));
            }
        }

        return errors.Count > 0 ? throw Problems.Validation(errors) : new HistoryQuery(status, limit, after);
    }
}
