using System.ComponentModel;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.ServiceDefaults.Security;
using LogMonitoring.Storage.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Apis;

/// <summary>Counts of one bucket (of one service, or of all when the series sums them).</summary>
public sealed record BucketStats(DateTime Bucket, string? Service, long Total, long Errors, double ErrorRate, IReadOnlyDictionary<string, long> Levels)
{
    public static BucketStats From(DateTime bucket, string? service, LevelCounts counts) => new(
        bucket, service, counts.Total, counts.Errors, Math.Round(counts.ErrorRate, 6),
        LogEventLevels.All.ToDictionary(l => l.ToWireName(), l => counts[l]));
}

public sealed record SeriesResponse(string Interval, DateTime Start, DateTime End, string? Service, IReadOnlyList<string>? Levels, IReadOnlyList<BucketStats> Points);

public sealed record ServiceErrorRate(string Service, long Total, long Errors, double ErrorRate);

/// <summary>The error rate of every service in the window, and of all of them together (<see cref="Overall"/>).</summary>
public sealed record ErrorRateResponse(string Window, DateTime Start, DateTime End, ErrorRateTotals Overall, IReadOnlyList<ServiceErrorRate> Services);

/// <summary>Counts summed over the services the answer covers: all of them for <c>service=all</c>, else the one asked for.</summary>
public sealed record ErrorRateTotals(long Total, long Errors, double ErrorRate);

public sealed record ServiceStats(string Service, long Total, long Errors, double ErrorRate, DateTime LastSeen, IReadOnlyDictionary<string, long> Levels);

/// <summary>What the statistics endpoints use, as one <c>[AsParameters]</c> record.</summary>
public sealed record StatisticsServices(ILogStatistics Statistics, TimeProvider Time, IOptions<StatsOptions> Options);

public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/stats").WithTags("Statistics")
            .RequireAuthorization(Scopes.ReadLogs)
            .RequireRateLimiting(SecurityExtensions.RateLimitPolicy);

        api.MapGet("/hourly", HourlyAsync)
            .WithName("GetHourlyStats")
            .WithSummary("Hourly counts per service: per level, total, errors and error rate")
            .WithDescription("Buckets without logs are left out. Default range: the last 24 hours.");

        api.MapGet("/error-rate", ErrorRateAsync)
            .WithName("GetErrorRate")
            .WithSummary("Error rate (ERROR + FATAL over all) per service, and overall, over a sliding window")
            .WithDescription("The window is counted in whole minutes up to now: `window=5m` covers the current minute and the four before it.");

        api.MapGet("/series", SeriesAsync)
            .WithName("GetSeries")
            .WithSummary("A time series of counts for charts, with empty buckets filled with zeros")
            .WithDescription("Sums the chosen services and levels per bucket. Default range: the last 60 buckets.");

        api.MapGet("/services", ServicesAsync)
            .WithName("GetServices")
            .WithSummary("Every service seen, with its counts over a window and the time of its last log")
            .WithDescription("The window is counted in whole hours up to now: `window=24h` (the default) covers the current hour and the 23 before it. Services seen before the window are listed with zero counts while their hourly statistics are kept.");

        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<BucketStats>>, ValidationProblem>> HourlyAsync(
        [Description("Only this service.")] string? service,
        [Description("From (ISO 8601 or now-7d); default now-24h.")] string? start,
        [Description("Until (ISO 8601 or now); default now.")] string? end,
        [AsParameters] StatisticsServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var now = services.Time.GetUtcNow().UtcDateTime;
        ValidateService(service, errors);
        var range = ReadRange(start, end, now, StatsInterval.OneHour, 24, services.Options.Value.MaxSeriesPoints, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid statistics parameters");
        }

        var buckets = await services.Statistics.GetBucketsAsync(StatsInterval.OneHour, range.Start, range.End, service, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<BucketStats>>(buckets.Select(b => BucketStats.From(b.Bucket, b.Service, b.Levels)).ToList());
    }

    public static async Task<Results<Ok<ErrorRateResponse>, ValidationProblem>> ErrorRateAsync(
        [Description("`all` (default) or one service name.")] string? service,
        [Description("The window: 1m to 24h, e.g. 5m, 15m, 1h (default 5m).")] string? window,
        [AsParameters] StatisticsServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var wanted = service is null or "all" ? null : service;
        ValidateService(wanted, errors);
        var length = TimeSpan.FromMinutes(5);
        if (window is not null && (!TimeParameter.TryParseDuration(window, out length) || length < TimeSpan.FromMinutes(1) || length > TimeSpan.FromHours(24)))
        {
            errors["window"] = ["must be a duration from 1m to 24h, such as 5m or 1h"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid error-rate parameters");
        }

        var now = services.Time.GetUtcNow().UtcDateTime;
        var end = StatsInterval.OneMinute.BucketStart(now).AddMinutes(1);
        var start = end - TimeSpan.FromMinutes(Math.Ceiling(length.TotalMinutes));
        var buckets = await services.Statistics.GetBucketsAsync(StatsInterval.OneMinute, start, end, wanted, cancellationToken);
        var perService = buckets
            .GroupBy(b => b.Service)
            .Select(g => g.Aggregate(LevelCounts.Zero, (sum, b) => sum + b.Levels) is var c
                ? new ServiceErrorRate(g.Key, c.Total, c.Errors, Math.Round(c.ErrorRate, 6))
                : null!)
            .OrderBy(s => s.Service, StringComparer.Ordinal)
            .ToList();
        if (wanted is not null && perService.Count == 0)
        {
            perService.Add(new ServiceErrorRate(wanted, 0, 0, 0));
        }

        var overall = buckets.Aggregate(LevelCounts.Zero, (sum, b) => sum + b.Levels);
        return TypedResults.Ok(new ErrorRateResponse(window ?? "5m", start, end,
            new ErrorRateTotals(overall.Total, overall.Errors, Math.Round(overall.ErrorRate, 6)), perService));
    }

    public static async Task<Results<Ok<SeriesResponse>, ValidationProblem>> SeriesAsync(
        [Description("1m, 5m or 1h (default 1m).")] string? interval,
        [Description("Only this service (default: all, summed).")] string? service,
        [Description("Only these levels, comma-separated (default: all).")] string? level,
        [Description("From (ISO 8601 or now-1h); default 60 buckets ago.")] string? start,
        [Description("Until (ISO 8601 or now); default now.")] string? end,
        [AsParameters] StatisticsServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var bucketSize = StatsInterval.OneMinute;
        if (interval is not null && !StatsIntervals.TryParse(interval, out bucketSize))
        {
            errors["interval"] = ["must be 1m, 5m or 1h"];
        }

        ValidateService(service, errors);
        var levels = LogFilterParameters.ReadLevels(level, errors);
        var now = services.Time.GetUtcNow().UtcDateTime;
        var range = ReadRange(start, end, now, bucketSize, 60, services.Options.Value.MaxSeriesPoints, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid series parameters");
        }

        var buckets = await services.Statistics.GetBucketsAsync(bucketSize, range.Start, range.End, service, cancellationToken);
        var byBucket = buckets.GroupBy(b => b.Bucket).ToDictionary(g => g.Key, g => g.Aggregate(LevelCounts.Zero, (sum, b) => sum + b.Levels));
        var points = new List<BucketStats>();
        for (var bucket = range.Start; bucket < range.End; bucket += bucketSize.Length())
        {
            var counts = byBucket.GetValueOrDefault(bucket, LevelCounts.Zero).Only(levels);
            points.Add(BucketStats.From(bucket, service, counts));
        }

        return TypedResults.Ok(new SeriesResponse(bucketSize.ToApiName(), range.Start, range.End, service, levels?.Select(l => l.ToWireName()).ToList(), points));
    }

    /// <summary>The longest window the services endpoint sums: its cost follows the window's hours times the services.</summary>
    public static readonly TimeSpan MaxServicesWindow = TimeSpan.FromDays(31);

    public static async Task<Results<Ok<IReadOnlyList<ServiceStats>>, ValidationProblem>> ServicesAsync(
        [Description("The window the counts cover: 1h to 31d, e.g. 1h, 24h, 7d (default 24h).")] string? window,
        [AsParameters] StatisticsServices services,
        CancellationToken cancellationToken)
    {
        var length = TimeSpan.FromHours(24);
        if (window is not null && (!TimeParameter.TryParseDuration(window, out length) || length < TimeSpan.FromHours(1) || length > MaxServicesWindow))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["window"] = ["must be a duration from 1h to 31d, such as 1h, 24h or 7d"] },
                title: "Invalid services parameters");
        }

        var now = services.Time.GetUtcNow().UtcDateTime;
        var end = StatsInterval.OneHour.BucketStart(now).AddHours(1);
        var since = end - TimeSpan.FromHours(Math.Ceiling(length.TotalHours));
        var seen = await services.Statistics.GetServicesAsync(since, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ServiceStats>>(seen
            .Select(s => new ServiceStats(s.Service, s.Levels.Total, s.Levels.Errors, Math.Round(s.Levels.ErrorRate, 6), s.LastSeen,
                LogEventLevels.All.ToDictionary(l => l.ToWireName(), l => s.Levels[l])))
            .ToList());
    }

    private static void ValidateService(string? service, Dictionary<string, string[]> errors)
    {
        // Any name ingest can accept, whatever its configured MaxServiceLength: the contract's one rule.
        if (service is not null && !ServiceName.IsValid(service))
        {
            errors["service"] = [$"must be a service name: 1 to {ServiceName.MaxLength} {ServiceName.AllowedCharacters}"];
        }
    }

    /// <summary>Reads start/end, aligns them to whole buckets, and refuses inverted or oversized ranges.</summary>
    private static (DateTime Start, DateTime End) ReadRange(
        string? start, string? end, DateTime now, StatsInterval interval, int defaultBuckets, int maxBuckets, Dictionary<string, string[]> errors)
    {
        var length = interval.Length();
        var to = now;
        if (end is not null && !TimeParameter.TryParse(end, now, out to, out var endError))
        {
            errors["end"] = [endError!];
        }

        if (errors.ContainsKey("end"))
        {
            to = now;
        }

        var from = to - (defaultBuckets * length);
        if (start is not null && !TimeParameter.TryParse(start, now, out from, out var startError))
        {
            errors["start"] = [startError!];
        }

        if (errors.ContainsKey("start") || errors.ContainsKey("end"))
        {
            return default;
        }

        if (to <= from)
        {
            errors["end"] = ["must be later than start"];
            return default;
        }

        var alignedStart = interval.BucketStart(from);
        var alignedEnd = interval.BucketStart(to) == to ? to : interval.BucketStart(to) + length;
        var buckets = (alignedEnd - alignedStart).Ticks / length.Ticks;
        if (buckets > maxBuckets)
        {
            errors["start"] = [$"the range holds {buckets} buckets of {interval.ToApiName()}, over the limit of {maxBuckets}; narrow start/end or use a wider interval"];
        }

        return (alignedStart, alignedEnd);
    }
}
