namespace LogMonitoring.Storage.Statistics;

/// <summary>The rollup bucket sizes. Each has its own collection (table) of statistics.</summary>
public enum StatsInterval
{
    OneMinute,
    FiveMinutes,
    OneHour,
}

public static class StatsIntervals
{
    public static IReadOnlyList<StatsInterval> All { get; } = Enum.GetValues<StatsInterval>();

    public static TimeSpan Length(this StatsInterval interval) => interval switch
    {
        StatsInterval.OneMinute => TimeSpan.FromMinutes(1),
        StatsInterval.FiveMinutes => TimeSpan.FromMinutes(5),
        StatsInterval.OneHour => TimeSpan.FromHours(1),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
    };

    /// <summary>The name used in the API (<c>1m</c>, <c>5m</c>, <c>1h</c>).</summary>
    public static string ToApiName(this StatsInterval interval) => interval switch
    {
        StatsInterval.OneMinute => "1m",
        StatsInterval.FiveMinutes => "5m",
        _ => "1h",
    };

    public static bool TryParse(string? text, out StatsInterval interval)
    {
        switch (text)
        {
            case "1m":
                interval = StatsInterval.OneMinute;
                return true;
            case "5m":
                interval = StatsInterval.FiveMinutes;
                return true;
            case "1h":
                interval = StatsInterval.OneHour;
                return true;
            default:
                interval = default;
                return false;
        }
    }

    /// <summary>The MongoDB collection (and SQLite table) holding this interval's buckets.</summary>
    public static string CollectionName(this StatsInterval interval) => interval switch
    {
        StatsInterval.OneMinute => "logs_minute_stats",
        StatsInterval.FiveMinutes => "logs_5m_stats",
        _ => "logs_hourly_stats",
    };

    /// <summary>The start of the bucket holding <paramref name="time"/>.</summary>
    public static DateTime BucketStart(this StatsInterval interval, DateTime time)
    {
        var ticks = interval.Length().Ticks;
        return new DateTime(time.Ticks - (time.Ticks % ticks), DateTimeKind.Utc);
    }
}
