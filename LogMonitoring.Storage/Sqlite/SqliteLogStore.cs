using System.Text;
using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, shared by every process on the machine (persister
/// replicas write, stats reads). Each batch is one transaction; a duplicate id is skipped, not an error.
/// </summary>
public sealed partial class SqliteLogStore : ILogStore, ILogStatistics, ILogRetention
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqliteLogStore(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        };

        // Several processes share the file: wait for the write lock instead of failing with SQLITE_BUSY.
        if (!connectionString.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.DefaultTimeout = 60;
        }

        _connectionString = builder.ToString();
        // busy_timeout follows the connection string's Default Timeout, so a configured shorter wait is honoured.
        _pragmas = $"PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {builder.DefaultTimeout * 1000}; PRAGMA cache_size = -65536;";
        DataSource = builder.DataSource;
    }

    public string Kind => "sqlite";

    public string DataSource { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Schema;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // ts and received_at are DateTime ticks (100 ns, UTC): exact, sortable and cheap to compare.
    // seq grows with every insert and is never reused (AUTOINCREMENT): the rollups' watermark.
    private static string Schema => """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS logs (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            id          TEXT    NOT NULL UNIQUE,
            source_id   TEXT,
            ts          INTEGER NOT NULL,
            level       INTEGER NOT NULL,
            service     TEXT    NOT NULL,
            message     TEXT    NOT NULL,
            metadata    TEXT,
            host        TEXT,
            trace_id    TEXT,
            span_id     TEXT,
            received_at INTEGER,
            stored_at   INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_logs_ts_service ON logs (ts DESC, service);
        CREATE INDEX IF NOT EXISTS ix_logs_level_ts   ON logs (level, ts DESC);
        CREATE INDEX IF NOT EXISTS ix_logs_service_ts ON logs (service, ts DESC);
        """ + StatisticsSchema;

    public async Task<LogWriteResult> WriteBatchAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return LogWriteResult.Empty;
        }

        await using var connection = await OpenAsync(cancellationToken);
        // IMMEDIATE takes the write lock up front, so a busy wait happens here and not mid-batch.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO logs (id, source_id, ts, level, service, message, metadata, host, trace_id, span_id, received_at, stored_at)
            VALUES ($id, $source_id, $ts, $level, $service, $message, $metadata, $host, $trace_id, $span_id, $received_at, $stored_at)
            ON CONFLICT (id) DO NOTHING
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var sourceId = insert.Parameters.Add("$source_id", SqliteType.Text);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var level = insert.Parameters.Add("$level", SqliteType.Integer);
        var service = insert.Parameters.Add("$service", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        var metadata = insert.Parameters.Add("$metadata", SqliteType.Text);
        var host = insert.Parameters.Add("$host", SqliteType.Text);
        var traceId = insert.Parameters.Add("$trace_id", SqliteType.Text);
        var spanId = insert.Parameters.Add("$span_id", SqliteType.Text);
        var receivedAt = insert.Parameters.Add("$received_at", SqliteType.Integer);
        var storedAt = insert.Parameters.Add("$stored_at", SqliteType.Integer);
        insert.Prepare();

        var now = DateTime.UtcNow.Ticks;
        var inserted = 0;
        List<int>? duplicates = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            id.Value = e.Id;
            sourceId.Value = (object?)e.SourceId ?? DBNull.Value;
            ts.Value = e.Timestamp.Ticks;
            level.Value = (int)e.Level;
            service.Value = e.Service;
            message.Value = e.Message;
            metadata.Value = (object?)e.MetadataJson ?? DBNull.Value;
            host.Value = (object?)e.Host ?? DBNull.Value;
            traceId.Value = (object?)e.TraceId ?? DBNull.Value;
            spanId.Value = (object?)e.SpanId ?? DBNull.Value;
            receivedAt.Value = e.ReceivedAt is { } r ? r.Ticks : DBNull.Value;
            storedAt.Value = now;
            if (insert.ExecuteNonQuery() == 1)
            {
                inserted++;
            }
            else
            {
                (duplicates ??= []).Add(i);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new LogWriteResult(inserted, (IReadOnlyList<int>?)duplicates ?? []);
    }

    public async Task<LogPage> SearchAsync(LogQuery query, int limit, LogCursor? after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = BuildWhere(command, query);
        if (after is not null)
        {
            where.Append(where.Length == 0 ? " WHERE " : " AND ");
            where.Append("(ts < $after_ts OR (ts = $after_ts AND id < $after_id))");
            command.Parameters.AddWithValue("$after_ts", after.Timestamp.Ticks);
            command.Parameters.AddWithValue("$after_id", after.Id);
        }

        command.CommandText = $"""
            SELECT id, source_id, ts, level, service, message, metadata, host, trace_id, span_id, received_at
            FROM logs{where}
            ORDER BY ts DESC, id DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", limit + 1);

        var items = new List<LogEvent>(Math.Min(limit + 1, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new LogEvent
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
                });
            }
        }

        LogCursor? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            var last = items[^1];
            next = new LogCursor(last.Timestamp, last.Id);
        }

        return new LogPage(items, next);
    }

    public async Task<long> CountAsync(LogQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = BuildWhere(command, query);
        command.CommandText = $"SELECT COUNT(*) FROM logs{where}";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'logs'";
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            throw new InvalidOperationException("The logs table does not exist yet.");
        }
    }

    // Every value is a parameter: the query text never contains user input.
    private static StringBuilder BuildWhere(SqliteCommand command, LogQuery query)
    {
        var where = new StringBuilder();
        void And(string condition) => where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);

        if (query.Service is not null)
        {
            And("service = $service");
            command.Parameters.AddWithValue("$service", query.Service);
        }

        if (query.Services is { Count: > 0 } services)
        {
            And($"service IN ({string.Join(", ", services.Select((_, i) => "$service" + i))})");
            for (var i = 0; i < services.Count; i++)
            {
                command.Parameters.AddWithValue("$service" + i, services[i]);
            }
        }

        if (query.Levels is { Count: > 0 } levels)
        {
            And($"level IN ({string.Join(", ", levels.Select((_, i) => "$level" + i))})");
            for (var i = 0; i < levels.Count; i++)
            {
                command.Parameters.AddWithValue("$level" + i, (int)levels[i]);
            }
        }

        if (query.Start is { } start)
        {
            And("ts >= $start");
            command.Parameters.AddWithValue("$start", start.Ticks);
        }

        if (query.End is { } end)
        {
            And("ts < $end");
            command.Parameters.AddWithValue("$end", end.Ticks);
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            // instr() on lower-cased text: a plain substring test, no pattern language to abuse.
            And("instr(lower(message), $text) > 0");
            command.Parameters.AddWithValue("$text", query.Text.ToLowerInvariant());
        }

        return where;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // FULL: a committed batch survives power loss, because the persister commits Kafka offsets right after.
        // busy_timeout: SQLite's own lock wait retries within milliseconds; without it the provider sleeps 150 ms per retry.
        // cache_size: the id and time indexes take random inserts; 64 MiB of cache keeps them off the disk.
        pragma.CommandText = _pragmas;
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
