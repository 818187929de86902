using System.ComponentModel.DataAnnotations;
using LogMonitoring.Contracts;

namespace LogMonitoring.Storage.Statistics;

/// <summary>
/// How long raw logs and statistics are kept (configuration section <c>Retention</c>). Statistics outlive
/// the logs they count: the hourly buckets keep a year of history after the logs are gone.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Raw logs, in days.</summary>
    [Range(1, 3650)]
    public int LogDays { get; set; } = 30;

    /// <summary>Shorter retention for some levels, e.g. <c>Retention__LevelDays__DEBUG=2</c>.</summary>
    public Dictionary<string, int> LevelDays { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [Range(1, 3650)]
    public int MinuteStatsDays { get; set; } = 7;

    [Range(1, 3650)]
    public int FiveMinuteStatsDays { get; set; } = 60;

    [Range(1, 3650)]
    public int HourlyStatsDays { get; set; } = 400;

    public int DaysFor(LogEventLevel level)
    {
        foreach (var (name, days) in LevelDays)
        {
            if (LogEventLevels.TryParse(name, out var configured) && configured == level)
            {
                return Math.Min(days, LogDays);
            }
        }

        return LogDays;
    }

    public int DaysFor(StatsInterval interval) => interval switch
    {
        StatsInterval.OneMinute => MinuteStatsDays,
        StatsInterval.FiveMinutes => FiveMinuteStatsDays,
        _ => HourlyStatsDays,
    };

    /// <summary>Throws when a level name is unknown, so a typo does not silently keep DEBUG logs forever.</summary>
    public void Validate()
    {
        foreach (var (name, days) in LevelDays)
        {
            if (!LogEventLevels.TryParse(name, out _))
            {
                throw new ValidationException($"Retention:LevelDays:{name}: '{name}' is not a level.");
            }

            if (days is < 1 or > 3650)
            {
                throw new ValidationException($"Retention:LevelDays:{name}: {days} is outside 1 to 3650 days.");
            }
        }
    }
}
