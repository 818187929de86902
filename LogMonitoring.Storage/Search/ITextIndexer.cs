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

    /// <summary>How far the index is behind and how the newest log was stored, read without taking the write lock.</summary>
    Task<TextIndexBacklog> ReadTextBacklogAsync(CancellationToken cancellationToken);
}

/// <summary>One indexing cycle: logs it indexed, whether it reached the newest stored log, and how many it left above the watermark (at most).</summary>
public sealed record TextIndexCycle(long LogsIndexed, bool CaughtUp, long LogsBehind = 0);

/// <summary>The text index's backlog and the newest stored log's two times, which tell whether the writers are behind.</summary>
/// <param name="LogsBehind">Logs above the index's watermark (at most: retention may have deleted some).</param>
/// <param name="NewestReceivedAt">When ingest received the newest stored log; null when none is stored or it carries no receive time.</param>
/// <param name="NewestStoredAt">When the newest stored log was stored; null when none is.</param>
public sealed record TextIndexBacklog(long LogsBehind, DateTime? NewestReceivedAt, DateTime? NewestStoredAt)
{
    public static readonly TextIndexBacklog None = new(0, null, null);
}
