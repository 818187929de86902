using LogMonitoring.Storage.Search;

namespace LogMonitoring.Stats.Rollups;

/// <summary>
/// Whether the text index should leave SQLite's one write lock to the persisters for now. A cycle holds the lock
/// about as long per log as storing the log did, so while the persisters are behind, indexing takes about a third
/// of what they could store (a drain of 28,000 logs/s beside it, 42,000 without) and the backlog in Kafka grows
/// toward what the broker retains. The index is what can wait: text search finds unindexed logs too, only slower.
/// It yields while the newest stored log waited longer than <see cref="StatsOptions.TextIndexYieldAfter"/> between
/// ingest and the store, and was stored recently (writers that stopped writing are not behind, whatever their last
/// log waited), until <see cref="StatsOptions.TextIndexMaxBehind"/> logs wait for the index.
/// </summary>
public sealed class TextIndexYield(TimeSpan yieldAfter, long maxBehind)
{
    /// <summary>
    /// Persisters that are behind store a batch every fraction of a second, except while a cycle of the index holds
    /// the lock (under a second for 50,000 logs, longer on a slow disk); ones that stored nothing for longer have
    /// caught up, or stopped, and either way leave the lock free.
    /// </summary>
    public static readonly TimeSpan WritersQuietAfter = TimeSpan.FromSeconds(10);

    public static TextIndexYield From(StatsOptions options) => new(options.TextIndexYieldAfter, options.TextIndexMaxBehind);

    public bool ShouldYield(TextIndexBacklog backlog, DateTime now)
    {
        if (yieldAfter <= TimeSpan.Zero || backlog.LogsBehind >= maxBehind
            || backlog is not { NewestReceivedAt: { } received, NewestStoredAt: { } stored })
        {
            return false;
        }

        return now - stored < WritersQuietAfter && stored - received > yieldAfter;
    }
}
