using LogMonitoring.Contracts;
using LogMonitoring.Query;

namespace LogMonitoring.Storage.Search;

/// <summary>
/// Aggregations and the live tail over stored logs, for any query. Both stores implement it with the
/// same answers (one contract suite holds them to it); search and count themselves are on <see cref="ILogStore"/>.
/// </summary>
public interface ILogSearch
{
    /// <summary>Counts per time bucket and level; <see cref="LogQuery.Start"/> and <see cref="LogQuery.End"/> are required.</summary>
    Task<IReadOnlyList<HistogramCount>> HistogramAsync(LogQuery query, TimeSpan interval, CancellationToken cancellationToken);

    /// <summary>The most frequent values of a field among the matching logs, most frequent first (ties by value).</summary>
    Task<IReadOnlyList<FieldCount>> TopAsync(LogQuery query, FieldRef field, int limit, CancellationToken cancellationToken);

    /// <summary>Where the tail of the store is now: a tail started here sees only logs stored from now on.</summary>
    Task<TailPosition> TailEndAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Matching logs stored after <paramref name="after"/>, in the order they were stored, at most
    /// <paramref name="limit"/>; the page's position resumes exactly after its last log (no gap, no repeat).
    /// </summary>
    Task<TailPage> TailAsync(LogQuery query, TailPosition after, int limit, CancellationToken cancellationToken);
}

public sealed record HistogramCount(DateTime Bucket, LogEventLevel Level, long Count);

/// <param name="Value">A string, a long, a double or a bool, as stored.</param>
public sealed record FieldCount(object Value, long Count);

/// <summary>A position in the order logs were stored, opaque to clients (the SSE event id).</summary>
public sealed record TailPosition(string Token)
{
    public override string ToString() => Token;
}

/// <param name="Position">After the last log of this page, or where the store was read up to when the page is empty.</param>
public sealed record TailPage(IReadOnlyList<TailItem> Items, TailPosition Position);

/// <param name="Position">Resumes right after this log.</param>
public sealed record TailItem(LogEvent Event, TailPosition Position);
