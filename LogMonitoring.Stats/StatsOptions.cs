using System.ComponentModel.DataAnnotations;

namespace LogMonitoring.Stats;

/// <summary>How often the rollups, the text index and the retention run (configuration section <c>Stats</c>).</summary>
public sealed class StatsOptions
{
    public const string SectionName = "Stats";

    /// <summary>Between rollup cycles; a log is counted within about this long of being stored.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RollupPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Between text index cycles (SQLite); logs not yet indexed are found too, but checked one by one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan TextIndexPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Between retention passes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest range the series endpoint answers, in buckets.</summary>
    [Range(10, 100_000)]
    public int MaxSeriesPoints { get; set; } = 2000;
}
