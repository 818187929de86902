using System.ComponentModel;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogMonitoring.Stats.Apis;

/// <summary>One bucket of a histogram: its start, its total and its count per level.</summary>
public sealed record HistogramBucket(DateTime Start, long Total, IReadOnlyDictionary<string, long> Levels);

public sealed record HistogramResponse(string Interval, DateTime Start, DateTime End, IReadOnlyList<HistogramBucket> Buckets);

/// <summary><c>GET /api/logs/histogram</c>: count over time for any query, split by level.</summary>
public static class LogHistogram
{
    /// <summary>Every bucket size <c>auto</c> chooses from; explicit sizes may be any that divide a day.</summary>
    private static readonly TimeSpan[] NiceIntervals =
        [.. new[] { 1, 2, 5, 10, 15, 30 }.Select(s => TimeSpan.FromSeconds(s)),
         .. new[] { 1, 2, 5, 10, 15, 30 }.Select(m => TimeSpan.FromMinutes(m)),
         .. new[] { 1, 2, 3, 6, 12, 24 }.Select(h => TimeSpan.FromHours(h))];

    public const int AutoBuckets = 60;
    public const int MaxBuckets = 5000;

    public static async Task<Results<Ok<HistogramResponse>, ValidationProblem>> GetAsync(
        [AsParameters] LogFilterParameters filter,
        [Description("Bucket size: 1s to 1d dividing a day evenly (30s, 1m, 5m, 1h, 1d), or auto (default).")] string? interval,
        [AsParameters] SearchServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = AggregationRange.ReadQuery(filter, services, errors);
        var (start, end) = (query?.Start ?? default, query?.End ?? default);
        var size = TimeSpan.Zero;
        if (errors.Count == 0 && !TryReadInterval(interval, end - start, out size))
        {
            errors["interval"] = ["must be auto or a duration from 1s to 1d that divides a day evenly (such as 10s, 1m, 5m, 1h, 1d)"];
        }

        var first = errors.Count == 0 ? Align(start, size) : default;
        var buckets = errors.Count == 0 ? (Align(end, size) + (Align(end, size) == end ? TimeSpan.Zero : size) - first).Ticks / size.Ticks : 0;
        if (buckets > MaxBuckets)
        {
            errors["interval"] = [$"the range holds {buckets} buckets of {TimeText(size)}, over the limit of {MaxBuckets}; use a wider interval"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid histogram parameters");
        }

        var counts = await services.Search.HistogramAsync(query!, size, cancellationToken);
        var byBucket = counts.GroupBy(c => c.Bucket).ToDictionary(g => g.Key, g => g.ToDictionary(c => c.Level, c => c.Count));
        var result = new List<HistogramBucket>((int)buckets);
        for (var i = 0; i < buckets; i++)
        {
            var bucket = first + (i * size);
            var levels = byBucket.GetValueOrDefault(bucket);
            var perLevel = LogEventLevels.All.ToDictionary(l => l.ToWireName(), l => levels?.GetValueOrDefault(l) ?? 0L);
            result.Add(new HistogramBucket(bucket, perLevel.Values.Sum(), perLevel));
        }

        return TypedResults.Ok(new HistogramResponse(TimeText(size), start, end, result));
    }

    internal static bool TryReadInterval(string? text, TimeSpan range, out TimeSpan interval)
    {
        if (text is null or "auto")
        {
            interval = NiceIntervals.FirstOrDefault(i => range.Ticks / i.Ticks <= AutoBuckets, NiceIntervals[^1]);
            return true;
        }

        return TimeParameter.TryParseDuration(text, out interval) &&
               interval >= TimeSpan.FromSeconds(1) && interval <= TimeSpan.FromDays(1) &&
               interval.Ticks % TimeSpan.TicksPerSecond == 0 && TimeSpan.FromDays(1).Ticks % interval.Ticks == 0;
    }

    /// <summary>Buckets start at whole multiples of the interval since midnight UTC, as both stores count them.</summary>
    internal static DateTime Align(DateTime time, TimeSpan interval) => new(time.Ticks - (time.Ticks % interval.Ticks), DateTimeKind.Utc);

    internal static string TimeText(TimeSpan interval) =>
        interval.Ticks % TimeSpan.TicksPerDay == 0 ? $"{interval.Days}d"
        : interval.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)interval.TotalHours}h"
        : interval.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)interval.TotalMinutes}m"
        : $"{(long)interval.TotalSeconds}s";
}
