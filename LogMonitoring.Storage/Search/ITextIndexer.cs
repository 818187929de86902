namespace LogMonitoring.Storage.Search;

/// <summary>
/// A store whose text index is filled behind the writes instead of with them (SQLite): a log is findable by
/// text the moment it is stored (queries check the logs above the index's watermark one by one), and a
/// cycle moves them into the index in one batch. Several processes may run cycles at once: each log is
/// indexed exactly once.
/// </summary>
public interface ITextIndexer
{
    /// <summary>Indexes the oldest logs stored since the last cycle, up to the store's batch size.</summary>
    Task<TextIndexCycle> IndexTextAsync(CancellationToken cancellationToken);
}

/// <summary>One indexing cycle: logs it indexed, whether it reached the newest stored log, and how many it left above the watermark (at most).</summary>
public sealed record TextIndexCycle(long LogsIndexed, bool CaughtUp, long LogsBehind = 0);
