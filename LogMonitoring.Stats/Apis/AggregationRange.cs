using LogMonitoring.Query;
using LogMonitoring.Storage;

namespace LogMonitoring.Stats.Apis;

/// <summary>
/// The time range of a histogram or top query: <c>start</c>/<c>end</c> (default the last hour), never
/// wider than <c>Search:MaxAggregationRange</c>, so an aggregation's cost is bounded by what it covers.
/// </summary>
public static class AggregationRange
{
    public static readonly TimeSpan Default = TimeSpan.FromHours(1);

    /// <summary>The query of an aggregation, its range set from start/end; null when something is wrong (listed in errors).</summary>
    public static LogQuery? ReadQuery(LogFilterParameters filter, SearchServices services, Dictionary<string, string[]> errors)
    {
        var now = services.Time.GetUtcNow().UtcDateTime;
        var query = filter.TryBuild(now, errors);
        var (start, end) = Read(filter.Start, filter.End, now, services.Options.Value.MaxAggregationRange, errors);
        return query is null ? null : query with { Start = start, End = end };
    }

    public static (DateTime Start, DateTime End) Read(string? start, string? end, DateTime now, TimeSpan max, Dictionary<string, string[]> errors)
    {
        var to = now;
        if (end is not null && !TimeParameter.TryParse(end, now, out to, out var endError))
        {
            errors["end"] = [endError!];
            return default;
        }

        var from = to - Default;
        if (start is not null && !TimeParameter.TryParse(start, now, out from, out var startError))
        {
            errors["start"] = [startError!];
            return default;
        }

        if (to <= from)
        {
            errors["end"] = ["must be later than start"];
        }
        else if (to - from > max)
        {
            errors["start"] = [$"the range is {Describe(to - from)}, over the limit of {Describe(max)} (Search:MaxAggregationRange); narrow start/end"];
        }

        return (from, to);
    }

    internal static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.##} days" : span.TotalHours >= 1 ? $"{span.TotalHours:0.##} hours" : $"{span.TotalMinutes:0.##} minutes";
}
