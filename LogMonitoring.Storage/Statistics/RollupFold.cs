namespace LogMonitoring.Storage.Statistics;

/// <summary>
/// A cycle's new logs counted per minute and service, widened in memory into the other bucket sizes and into
/// each service's newest log, so a store reads its new logs once and not once per table.
/// </summary>
public static class RollupFold
{
    /// <summary>
    /// The minute counts summed into the buckets of <paramref name="interval"/>: per level, with the newest
    /// timestamp, in the order of each bucket's first minute.
    /// </summary>
    /// <remarks>
    /// Exact because a bucket starts at a multiple of its length in ticks and 5 minutes and an hour are whole
    /// numbers of minutes: a minute bucket then lies wholly within one wider bucket, the one its start falls in,
    /// so every log of the minute belongs to that bucket too.
    /// </remarks>
    public static IReadOnlyList<StatsBucket> Widen(IReadOnlyList<StatsBucket> minutes, StatsInterval interval) =>
        minutes
            .GroupBy(m => (Bucket: interval.BucketStart(m.Bucket), m.Service))
            .Select(g => new StatsBucket(g.Key.Bucket, g.Key.Service, g.Select(m => m.Levels).Aggregate((a, b) => a + b), g.Max(m => m.LastSeen)))
            .ToList();

    /// <summary>Each service in the minute counts with the timestamp of its newest log.</summary>
    public static IReadOnlyList<(string Service, DateTime LastSeen)> NewestPerService(IReadOnlyList<StatsBucket> minutes) =>
        minutes
            .GroupBy(m => m.Service, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Max(m => m.LastSeen)))
            .ToList();
}
