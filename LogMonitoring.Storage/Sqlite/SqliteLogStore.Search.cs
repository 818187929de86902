using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage.Search;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// Search on the embedded store. Every newest-first page walks an index that ends in (ts, id), so the
/// sort costs nothing and the cursor condition is a bounded range (page 1,000 costs what page 1 costs).
/// Text search uses an FTS5 trigram index of each message, case-folded in .NET (<see cref="TextFolding"/>),
/// filled behind a watermark off the write path; the logs above it are checked one by one (see <see cref="IndexTextAsync"/>).
/// </summary>
public sealed partial class SqliteLogStore : ILogSearch
{
    private const string Columns = "id, source_id, ts, level, service, message, metadata, host, trace_id, span_id, received_at";

    private SearchOptions _search = new();
    private IReadOnlyDictionary<FieldRef, string> _indexedPaths = new Dictionary<FieldRef, string>();

    /// <summary>Search settings: the indexed metadata fields and the query timeout.</summary>
    public SearchOptions Search
    {
        get => _search;
        init
        {
            value.Validate();
            _search = value;
            _indexedPaths = value.IndexedFieldRefs().ToDictionary(f => f, f => $"'{SqliteFilter.JsonPath(f)}'");
        }
    }

    // The earlier single-purpose indexes are replaced by ones ending in (ts, id), which serve the sort.
    private static string SearchSchema => $"""

        DROP INDEX IF EXISTS ix_logs_ts_service;
        DROP INDEX IF EXISTS ix_logs_level_ts;
        DROP INDEX IF EXISTS ix_logs_service_ts;
        CREATE INDEX IF NOT EXISTS ix_logs_ts_id ON logs (ts, id);
        CREATE INDEX IF NOT EXISTS ix_logs_service_ts_id ON logs (service, ts, id);
        CREATE INDEX IF NOT EXISTS ix_logs_level_ts_id ON logs (level, ts, id);
        CREATE INDEX IF NOT EXISTS ix_logs_host_ts_id ON logs (host, ts, id) WHERE host IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_logs_trace_id_ts_id ON logs (trace_id, ts, id) WHERE trace_id IS NOT NULL;
        """;

    /// <summary>The configured metadata indexes: an expression index per field, ending in (ts, id).</summary>
    private string MetadataIndexSchema() => string.Concat(_indexedPaths.Select(p => $"""

        CREATE INDEX IF NOT EXISTS {MetadataIndexName(p.Key)} ON logs (json_extract(metadata, {p.Value}), ts, id) WHERE json_extract(metadata, {p.Value}) IS NOT NULL;
        """));

    /// <summary>ix_logs_meta_user_id_1a2b3c4d: readable, and distinct even for a-b and a_b.</summary>
    internal static string MetadataIndexName(FieldRef field)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(field.Name)))[..8];
        var readable = new string(field.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return $"ix_logs_meta_{readable}_{hash}";
    }

    /// <summary>Creates the search indexes and the text index (see <see cref="TextIndexSchema"/>), once.</summary>
    private async Task InitializeSearchAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE name = '{SqliteFilter.TextTable}'";
        var hasText = (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
        command.CommandText = SearchSchema + MetadataIndexSchema() + TextIndexSchema(hasText);
        command.Parameters.AddWithValue("$now", Clock.GetUtcNow().UtcDateTime.Ticks);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The functions the schema's indexes, triggers and text queries call: every connection to the store needs them.</summary>
    public static void RegisterSearchFunctions(SqliteConnection connection) =>
        connection.CreateFunction(SqliteFilter.FoldFunction, (string? text) => text is null ? null : TextFolding.Fold(text), isDeterministic: true);

    public async Task<LogPage> SearchAsync(LogQuery query, int limit, LogCursor? after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        PrepareSearch(command, query, limit, after, await CommonNeedlesAsync(connection, query, cancellationToken));
        var items = await ReadEventsAsync(command, limit + 1, cancellationToken);
        LogCursor? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            next = new LogCursor(items[^1].Timestamp, items[^1].Id);
        }

        return new LogPage(items, next);
    }

    /// <summary>
    /// More matches than this make a needle "common": a page then checks logs one by one along the time
    /// index (at 10,000,000 logs a page's worth is found within the newest 50,000), rather than collecting
    /// every match and sorting them. Counting up to it in the index is the price of the decision.
    /// </summary>
    public int CommonTextMatches { get; init; } = 20_000;

    /// <summary>The needles of the query with more than <see cref="CommonTextMatches"/> matches, found by counting up to that many in the index.</summary>
    private async Task<IReadOnlySet<string>> CommonNeedlesAsync(SqliteConnection connection, LogQuery query, CancellationToken cancellationToken)
    {
        var common = new HashSet<string>(StringComparer.Ordinal);
        foreach (var needle in SqliteFilter.IndexedNeedles(query.Where).Distinct(StringComparer.Ordinal))
        {
            await using var probe = connection.CreateCommand();
            probe.CommandText = $"SELECT COUNT(*) FROM (SELECT rowid FROM {SqliteFilter.TextTable} WHERE {SqliteFilter.TextTable} MATCH $phrase LIMIT $limit)";
            probe.Parameters.AddWithValue("$phrase", SqliteFilter.TextPhrase(needle));
            probe.Parameters.AddWithValue("$limit", CommonTextMatches + 1);
            if (await WithDeadlineAsync(connection, async ct => (long)(await probe.ExecuteScalarAsync(ct))!, cancellationToken) > CommonTextMatches)
            {
                common.Add(needle);
            }
        }

        return common;
    }

    /// <summary>One newest-first page: limit + 1 rows, to know whether there is a next page.</summary>
    private void PrepareSearch(SqliteCommand command, LogQuery query, int limit, LogCursor? after, IReadOnlySet<string>? commonText = null)
    {
        var conditions = SqliteFilter.Conditions(command, query, _indexedPaths, commonText);
        if (after is not null)
        {
            // Bounded by ts <= cursor, so the index seek starts at the cursor instead of skipping earlier pages.
            conditions.Add("ts <= $after_ts AND (ts < $after_ts OR id < $after_id)");
            command.Parameters.AddWithValue("$after_ts", after.Timestamp.Ticks);
            command.Parameters.AddWithValue("$after_id", after.Id);
        }

        command.CommandText = $"SELECT {Columns} FROM logs{SqliteFilter.WhereClause(conditions)} ORDER BY ts DESC, id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit + 1);
    }

    /// <summary>SQLite's plan for a search page (EXPLAIN QUERY PLAN), one line per step; the tests assert it.</summary>
    internal async Task<IReadOnlyList<string>> ExplainSearchAsync(LogQuery query, LogCursor? after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        PrepareSearch(command, query, 100, after, await CommonNeedlesAsync(connection, query, cancellationToken));
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }

    public async Task<long> CountAsync(LogQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM logs{SqliteFilter.WhereClause(SqliteFilter.Conditions(command, query, _indexedPaths))}";
        return await WithDeadlineAsync(connection, async ct => (long)(await command.ExecuteScalarAsync(ct))!, cancellationToken);
    }

    public async Task<IReadOnlyList<HistogramCount>> HistogramAsync(LogQuery query, TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = SqliteFilter.WhereClause(SqliteFilter.Conditions(command, query, _indexedPaths));
        command.CommandText = $"SELECT ts - (ts % $bucket) AS bucket, level, COUNT(*) FROM logs{where} GROUP BY bucket, level ORDER BY bucket, level";
        command.Parameters.AddWithValue("$bucket", interval.Ticks);
        return await WithDeadlineAsync(connection, async ct =>
        {
            var counts = new List<HistogramCount>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                counts.Add(new HistogramCount(new DateTime(reader.GetInt64(0), DateTimeKind.Utc), (LogEventLevel)reader.GetInt32(1), reader.GetInt64(2)));
            }

            return counts;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<FieldCount>> TopAsync(LogQuery query, FieldRef field, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var conditions = SqliteFilter.Conditions(command, query, _indexedPaths);
        string value;
        var type = "NULL";
        if (field.Field == LogField.Metadata)
        {
            var path = _indexedPaths.TryGetValue(field, out var literal) ? literal : "$top_path";
            command.Parameters.AddWithValue("$top_path", SqliteFilter.JsonPath(field));
            value = $"json_extract(metadata, {path})";
            type = $"MAX(json_type(metadata, {path}))";
            // Single values only, as MongoDB's $group sees them: objects, arrays and nulls are not counted.
            conditions.Add($"json_type(metadata, {path}) IN ('text', 'integer', 'real', 'true', 'false')");
        }
        else
        {
            value = field.Field switch
            {
                LogField.Service => "service",
                LogField.Level => "level",
                LogField.Host => "host",
                LogField.TraceId => "trace_id",
                LogField.SpanId => "span_id",
                _ => throw new ArgumentException($"Counting by {field.Name} is not supported.", nameof(field)),
            };
            conditions.Add($"{value} IS NOT NULL");
        }

        command.CommandText = $"SELECT {value} AS value, COUNT(*) AS n, {type} FROM logs{SqliteFilter.WhereClause(conditions)} GROUP BY value ORDER BY n DESC, value LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        return await WithDeadlineAsync(connection, async ct =>
        {
            var counts = new List<FieldCount>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                object result = field.Field == LogField.Level
                    ? ((LogEventLevel)reader.GetInt32(0)).ToWireName()
                    : (reader.IsDBNull(2) ? null : reader.GetString(2)) switch
                    {
                        "true" or "false" => reader.GetInt64(0) != 0,
                        "integer" => reader.GetInt64(0),
                        "real" => reader.GetDouble(0),
                        _ => reader.GetString(0),
                    };
                counts.Add(new FieldCount(result, reader.GetInt64(1)));
            }

            return counts;
        }, cancellationToken);
    }

    public async Task<TailPosition> TailEndAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM logs";
        return SeqPosition((long)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    public async Task<TailPage> TailAsync(LogQuery query, TailPosition after, int limit, CancellationToken cancellationToken)
    {
        if (!after.Token.StartsWith("s", StringComparison.Ordinal) ||
            !long.TryParse(after.Token.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var from))
        {
            throw new FormatException("Not a tail position of this store.");
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // seq grows in commit order (one writer at a time), so "after seq" misses nothing and repeats nothing.
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM logs";
        var upTo = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        var conditions = SqliteFilter.Conditions(command, query, _indexedPaths);
        conditions.Add("seq > $from AND seq <= $to");
        command.CommandText = $"SELECT {Columns}, seq FROM logs{SqliteFilter.WhereClause(conditions)} ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", upTo);
        command.Parameters.AddWithValue("$limit", limit);
        var items = await WithDeadlineAsync(connection, async ct =>
        {
            var read = new List<TailItem>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                read.Add(new TailItem(ReadEvent(reader), SeqPosition(reader.GetInt64(11))));
            }

            return read;
        }, cancellationToken);

        // A full page stops at its last log; otherwise everything up to the newest seq was read.
        return new TailPage(items, items.Count == limit ? items[^1].Position : SeqPosition(Math.Max(upTo, from)));
    }

    private static TailPosition SeqPosition(long seq) => new("s" + seq.ToString(CultureInfo.InvariantCulture));

    private async Task<List<LogEvent>> ReadEventsAsync(SqliteCommand command, int capacity, CancellationToken cancellationToken) =>
        await WithDeadlineAsync(command.Connection!, async ct =>
        {
            var items = new List<LogEvent>(Math.Min(capacity, 1024));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                items.Add(ReadEvent(reader));
            }

            return items;
        }, cancellationToken);

    private static LogEvent ReadEvent(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        SourceId = reader.IsDBNull(1) ? null : reader.GetString(1),
        Timestamp = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
        Level = (LogEventLevel)reader.GetInt32(3),
        Service = reader.GetString(4),
        Message = reader.GetString(5),
        MetadataJson = reader.IsDBNull(6) ? null : reader.GetString(6),
        Host = reader.IsDBNull(7) ? null : reader.GetString(7),
        TraceId = reader.IsDBNull(8) ? null : reader.GetString(8),
        SpanId = reader.IsDBNull(9) ? null : reader.GetString(9),
        ReceivedAt = reader.IsDBNull(10) ? null : new DateTime(reader.GetInt64(10), DateTimeKind.Utc),
    };

    /// <summary>
    /// Runs a read with SQLite's progress handler watching the clock and the caller's token: past
    /// <see cref="SearchOptions.QueryTimeout"/> SQLite interrupts the statement itself.
    /// </summary>
    private async Task<T> WithDeadlineAsync<T>(SqliteConnection connection, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var timeout = _search.QueryTimeout;
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        SQLitePCL.raw.sqlite3_progress_handler(connection.Handle, 10_000,
            _ => Stopwatch.GetTimestamp() > deadline || cancellationToken.IsCancellationRequested ? 1 : 0, null);
        try
        {
            return await read(cancellationToken);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SQLitePCL.raw.SQLITE_INTERRUPT)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new LogSearchTimeoutException(timeout, ex);
        }
        finally
        {
            SQLitePCL.raw.sqlite3_progress_handler(connection.Handle, 0, null, null);
        }
    }
}
