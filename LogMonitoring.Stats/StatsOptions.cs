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

    /// <summary>
    /// The text index gives the write lock to the persisters while they store logs this long after ingest received
    /// them (they are behind); zero never yields. See <see cref="Rollups.TextIndexYield"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TextIndexYieldAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most logs the text index leaves unindexed while it yields; past it, it indexes however far behind the
    /// persisters are. Text queries check each unindexed log one by one (about 0.75 µs each).
    /// </summary>
    [Range(0L, 1_000_000_000L)]
    public long TextIndexMaxBehind { get; set; } = 5_000_000;

    /// <summary>Between retention passes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest range the series endpoint answers, in buckets.</summary>
    [Range(10, 100_000)]
    public int MaxSeriesPoints { get; set; } = 2000;
}
