using LogMonitoring.Contracts;
using LogMonitoring.Query;

namespace LogMonitoring.Storage;

/// <summary>
/// Where logs live. Every implementation keeps the same promises, held by one contract test suite:
/// writes are idempotent by <see cref="LogEvent.Id"/>, a batch is written whole or not at all as far
/// as the caller can tell (a retry is always safe), and searches are newest first with a stable cursor.
/// </summary>
public interface ILogStore
{
    /// <summary>"sqlite" or "mongodb", for logs and health reports.</summary>
    string Kind { get; }

    /// <summary>Creates the schema and indexes; safe to run from every replica at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the events not stored yet; ids already present count as duplicates. An event the store refuses
    /// for itself (the document, not the store, is at fault) is listed in <see cref="LogWriteResult.Rejected"/>
    /// and the rest are stored: a permanent failure. Throws when the store itself fails (unreachable, timeout,
    /// write concern, a primary stepping down): a transient failure, after which the whole batch may be retried.
    /// </summary>
    Task<LogWriteResult> WriteBatchAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken);

    Task<LogPage> SearchAsync(LogQuery query, int limit, LogCursor? after, CancellationToken cancellationToken);

    Task<long> CountAsync(LogQuery query, CancellationToken cancellationToken);

    /// <summary>Throws when the store cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <param name="Inserted">Events stored by this write.</param>
/// <param name="DuplicateIndexes">Positions in the batch of events that were already stored.</param>
public sealed record LogWriteResult(int Inserted, IReadOnlyList<int> DuplicateIndexes)
{
    public static LogWriteResult Empty { get; } = new(0, []);

    /// <summary>Events the store refused for themselves, by position in the batch; they can never be stored.</summary>
    public IReadOnlyList<LogWriteRejection> Rejected { get; init; } = [];
}

/// <param name="Index">The event's position in the batch.</param>
/// <param name="Reason">Why the store refused it, for the dead letter's reason header.</param>
public sealed record LogWriteRejection(int Index, string Reason);

/// <summary>Filters shared by search and count. Null means "any"; the time range is [Start, End).</summary>
public sealed record LogQuery
{
    public string? Service { get; init; }

    /// <summary>Any of these services (in addition to <see cref="Service"/> when both are set).</summary>
    public IReadOnlyList<string>? Services { get; init; }

    public IReadOnlyList<LogEventLevel>? Levels { get; init; }

    public DateTime? Start { get; init; }

    public DateTime? End { get; init; }

    /// <summary>A query in the query language (<see cref="QueryParser"/>); null matches everything.</summary>
    public QueryNode? Where { get; init; }
}

public sealed record LogPage(IReadOnlyList<LogEvent> Items, LogCursor? Next);
