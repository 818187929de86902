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
    // FULL: a committed batch survives power loss, because the persister commits Kafka offsets right after.
    // cache_size: 64 MiB keeps the indexes' upper pages and recent leaves in memory; it saves reads only (see docs/benchmarks.md: what grows with the store is pages written).
    private const string Pragmas = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;";
    private readonly TimeSpan _lockTimeout;

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
        // The wait for the write lock follows the connection string's Default Timeout, so a configured shorter wait is honoured.
        _lockTimeout = TimeSpan.FromSeconds(builder.DefaultTimeout);
        DataSource = builder.DataSource;
    }

    public string Kind => "sqlite";

    public string DataSource { get; }

    /// <summary>Stamps <c>stored_at</c>; the rollups never read it to find work, so a skewed clock cannot hide a log from them.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

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
        await InitializeSearchAsync(connection, cancellationToken);
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

        var now = Clock.GetUtcNow().UtcDateTime.Ticks;
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

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        RegisterSearchFunctions(connection);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = Pragmas;
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        // Another process's write lock is waited for here, a try every millisecond; without a wait in SQLite
        // the provider would sleep 150 ms per retry.
        SqliteLockWait.Install(connection, _lockTimeout);
        return connection;
    }
}
