using System.Globalization;
using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// Rollups for the embedded store. Each cycle reads the logs inserted since the last one (by <c>seq</c>,
/// above the watermark) in one scan grouped per minute and service, without the write lock; widens the
/// minutes into the 5-minute and hourly buckets in memory; then, in one short IMMEDIATE transaction, adds
/// the counts to all three bucket tables and moves the watermark, if no other stats replica moved it since
/// the read. A log is counted exactly once because its seq is folded in by exactly one committed cycle.
/// Duplicates never become rows.
/// </summary>
public sealed partial class SqliteLogStore
{
    /// <summary>The most new logs one cycle folds in, so a backlog is worked off in bounded steps.</summary>
    public int MaxLogsPerCycle { get; init; } = 500_000;

    // The three bucket tables share one shape; their names come from StatsIntervals, as in MongoDB.
    // A property, not a field: Schema (in the other part of this class) reads it, and static field
    // initializers of partial classes run in no guaranteed order.
    private static string StatisticsSchema => string.Concat(StatsIntervals.All.Select(interval => $"""

        CREATE TABLE IF NOT EXISTS {interval.CollectionName()} (
            bucket INTEGER NOT NULL, service TEXT NOT NULL,
            trace INTEGER NOT NULL, debug INTEGER NOT NULL, info INTEGER NOT NULL,
            warn INTEGER NOT NULL, error INTEGER NOT NULL, fatal INTEGER NOT NULL,
            last_ts INTEGER NOT NULL,
            PRIMARY KEY (bucket, service)) WITHOUT ROWID;
        """)) + """

        CREATE TABLE IF NOT EXISTS log_services (
            service TEXT PRIMARY KEY, last_ts INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO log_services (service, last_ts)
            SELECT service, MAX(last_ts) FROM logs_hourly_stats
            WHERE NOT EXISTS (SELECT 1 FROM log_services) GROUP BY service;
        CREATE TABLE IF NOT EXISTS rollup_state (
            name TEXT PRIMARY KEY, watermark INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        INSERT OR IGNORE INTO rollup_state (name, watermark, updated_at) VALUES ('logs', 0, 0);
        """;

    public async Task<RollupCycleResult> RollUpAsync(string replica, CancellationToken cancellationToken) =>
        await FoldInAsync(await ReadNewLogsAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// What a cycle found, read without the write lock: the watermark it started from, the newest log then, how
    /// far it counts, the new logs counted per minute and service, and when the first log it leaves was stored.
    /// </summary>
    internal sealed record NewLogs(long Watermark, long Newest, long UpTo, IReadOnlyList<StatsBucket> Minutes, long? FirstLeftStoredAt);

    /// <summary>
    /// The read phase: one scan of the new logs, grouped per minute and service. Readers never block the
    /// writer in WAL mode, so the persisters keep writing meanwhile.
    /// </summary>
    internal async Task<NewLogs> ReadNewLogsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // A read transaction, so everything below comes from one snapshot.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        long watermark, newest;
        await using (var state = connection.CreateCommand())
        {
            state.Transaction = snapshot;
            state.CommandText = "SELECT watermark, (SELECT COALESCE(MAX(seq), 0) FROM logs) FROM rollup_state WHERE name = 'logs'";
            await using var reader = await state.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (watermark, newest) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        if (newest <= watermark)
        {
            return new NewLogs(watermark, newest, watermark, [], null);
        }

        var upTo = Math.Min(newest, watermark + MaxLogsPerCycle);
        var minutes = new List<StatsBucket>();
        await using (var scan = connection.CreateCommand())
        {
            scan.Transaction = snapshot;
            scan.CommandText = """
                SELECT ts - (ts % $minute), service,
                       SUM(level = 0), SUM(level = 1), SUM(level = 2), SUM(level = 3), SUM(level = 4), SUM(level = 5),
                       MAX(ts)
                FROM logs WHERE seq > $from AND seq <= $to
                GROUP BY 1, 2
                """;
            scan.Parameters.AddWithValue("$minute", StatsInterval.OneMinute.Length().Ticks);
            scan.Parameters.AddWithValue("$from", watermark);
            scan.Parameters.AddWithValue("$to", upTo);
            await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                minutes.Add(new StatsBucket(
                    new DateTime(reader.GetInt64(0), DateTimeKind.Utc),
                    reader.GetString(1),
                    ReadCounts(reader, 2),
                    new DateTime(reader.GetInt64(8), DateTimeKind.Utc)));
            }
        }

        long? firstLeftStoredAt = null;
        if (upTo < newest)
        {
            await using var waiting = connection.CreateCommand();
            waiting.Transaction = snapshot;
            waiting.CommandText = "SELECT stored_at FROM logs WHERE seq > $to ORDER BY seq LIMIT 1";
            waiting.Parameters.AddWithValue("$to", upTo);
            firstLeftStoredAt = Convert.ToInt64(await waiting.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        return new NewLogs(watermark, newest, upTo, minutes, firstLeftStoredAt);
    }

    /// <summary>
    /// The write phase: adds the counts to the three bucket tables and the services list and moves the watermark,
    /// in one IMMEDIATE transaction that holds the write lock only for these upserts. If the watermark is no
    /// longer the one the counts were read from, another replica counted those logs meanwhile: the cycle
    /// changes nothing and says it did not run, so each log is counted exactly once.
    /// </summary>
    internal async Task<RollupCycleResult> FoldInAsync(NewLogs found, CancellationToken cancellationToken)
    {
        if (found.UpTo == found.Watermark)
        {
            // An idle cycle must not take the write lock the persisters need.
            return new RollupCycleResult(Ran: true, CaughtUp: true, 0, TimeSpan.Zero, LogsCounted: 0);
        }

        // Widened before the write lock is taken, so it is held for the upserts alone.
        var buckets = StatsIntervals.All.Select(interval => (interval, Buckets: RollupFold.Widen(found.Minutes, interval))).ToList();
        var services = RollupFold.NewestPerService(found.Minutes);

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (await ScalarAsync(connection, transaction, "SELECT watermark FROM rollup_state WHERE name = 'logs'", cancellationToken) != found.Watermark)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new RollupCycleResult(Ran: false, CaughtUp: false, 0, TimeSpan.Zero, LogsCounted: null);
        }

        var touched = 0;
        foreach (var (interval, widened) in buckets)
        {
            var changed = UpsertBuckets(connection, transaction, interval, widened);
            if (interval == StatsInterval.OneMinute)
            {
                touched = changed;
            }
        }

        UpsertServices(connection, transaction, services);
        await using (var advance = connection.CreateCommand())
        {
            advance.Transaction = transaction;
            advance.CommandText = "UPDATE rollup_state SET watermark = $to, updated_at = $now WHERE name = 'logs'";
            advance.Parameters.AddWithValue("$to", found.UpTo);
            advance.Parameters.AddWithValue("$now", DateTime.UtcNow.Ticks);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        // Freshness: how long the oldest log not yet counted has been waiting (zero when none is). Logs stored
        // after the read phase are not in it: they wait for the next cycle, and CaughtUp speaks of the cycle's start.
        var lag = found.FirstLeftStoredAt is { } waitingSince ? TimeSpan.FromTicks(Math.Max(0, DateTime.UtcNow.Ticks - waitingSince)) : TimeSpan.Zero;
        return new RollupCycleResult(Ran: true, CaughtUp: found.UpTo == found.Newest, touched, lag, LogsCounted: found.Minutes.Sum(m => m.Total));
    }

    /// <summary>Adds each bucket's counts to its row (creating it), keeping the newest timestamp; returns the rows written.</summary>
    private static int UpsertBuckets(SqliteConnection connection, SqliteTransaction transaction, StatsInterval interval, IReadOnlyList<StatsBucket> buckets)
    {
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        // Table names come from the enum, never from input; the values are parameters.
        upsert.CommandText = $"""
            INSERT INTO {interval.CollectionName()} (bucket, service, trace, debug, info, warn, error, fatal, last_ts)
            VALUES ($bucket, $service, $trace, $debug, $info, $warn, $error, $fatal, $last_ts)
            ON CONFLICT (bucket, service) DO UPDATE SET
                trace = trace + excluded.trace, debug = debug + excluded.debug, info = info + excluded.info,
                warn = warn + excluded.warn, error = error + excluded.error, fatal = fatal + excluded.fatal,
                last_ts = MAX(last_ts, excluded.last_ts)
            """;
        var bucket = upsert.Parameters.Add("$bucket", SqliteType.Integer);
        var service = upsert.Parameters.Add("$service", SqliteType.Text);
        var trace = upsert.Parameters.Add("$trace", SqliteType.Integer);
        var debug = upsert.Parameters.Add("$debug", SqliteType.Integer);
        var info = upsert.Parameters.Add("$info", SqliteType.Integer);
        var warn = upsert.Parameters.Add("$warn", SqliteType.Integer);
        var error = upsert.Parameters.Add("$error", SqliteType.Integer);
        var fatal = upsert.Parameters.Add("$fatal", SqliteType.Integer);
        var lastTs = upsert.Parameters.Add("$last_ts", SqliteType.Integer);
        upsert.Prepare();

        var written = 0;
        foreach (var b in buckets)
        {
            bucket.Value = b.Bucket.Ticks;
            service.Value = b.Service;
            (trace.Value, debug.Value, info.Value) = (b.Levels.Trace, b.Levels.Debug, b.Levels.Info);
            (warn.Value, error.Value, fatal.Value) = (b.Levels.Warn, b.Levels.Error, b.Levels.Fatal);
            lastTs.Value = b.LastSeen.Ticks;
            written += upsert.ExecuteNonQuery();
        }

        return written;
    }

    /// <summary>The services list with each one's newest log, so reading it never sums the whole history.</summary>
    private static void UpsertServices(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<(string Service, DateTime LastSeen)> services)
    {
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT INTO log_services (service, last_ts) VALUES ($service, $last_ts)
            ON CONFLICT (service) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts)
            """;
        var service = upsert.Parameters.Add("$service", SqliteType.Text);
        var lastTs = upsert.Parameters.Add("$last_ts", SqliteType.Integer);
        upsert.Prepare();
        foreach (var (name, lastSeen) in services)
        {
            service.Value = name;
            lastTs.Value = lastSeen.Ticks;
            upsert.ExecuteNonQuery();
        }
    }

    public async Task<IReadOnlyList<StatsBucket>> GetBucketsAsync(StatsInterval interval, DateTime start, DateTime end, string? service, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT bucket, service, trace, debug, info, warn, error, fatal, last_ts
            FROM {interval.CollectionName()}
            WHERE bucket >= $start AND bucket < $end {(service is null ? "" : "AND service = $service")}
            ORDER BY bucket, service
            """;
        command.Parameters.AddWithValue("$start", start.Ticks);
        command.Parameters.AddWithValue("$end", end.Ticks);
        if (service is not null)
        {
            command.Parameters.AddWithValue("$service", service);
        }

        var buckets = new List<StatsBucket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(new StatsBucket(
                new DateTime(reader.GetInt64(0), DateTimeKind.Utc),
                reader.GetString(1),
                ReadCounts(reader, 2),
                new DateTime(reader.GetInt64(8), DateTimeKind.Utc)));
        }

        return buckets;
    }

    /// <summary>A range of the (bucket, service) key: the window's hours times the services, however much is kept.</summary>
    internal const string ServicesWindowSql = """
        SELECT service, SUM(trace), SUM(debug), SUM(info), SUM(warn), SUM(error), SUM(fatal)
        FROM logs_hourly_stats WHERE bucket >= $since GROUP BY service
        """;

    /// <summary>SQLite's plan for the services window (EXPLAIN QUERY PLAN), one line per step; the tests assert it.</summary>
    internal async Task<IReadOnlyList<string>> ExplainServicesWindowAsync(DateTime since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + ServicesWindowSql;
        command.Parameters.AddWithValue("$since", since.Ticks);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }

    public async Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(DateTime since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var counts = new Dictionary<string, LevelCounts>(StringComparer.Ordinal);
        await using (var window = connection.CreateCommand())
        {
            window.CommandText = ServicesWindowSql;
            window.Parameters.AddWithValue("$since", since.Ticks);
            await using var reader = await window.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = ReadCounts(reader, 1);
            }
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT service, last_ts FROM log_services ORDER BY service";
        var services = new List<ServiceSummary>();
        await using var seen = await command.ExecuteReaderAsync(cancellationToken);
        while (await seen.ReadAsync(cancellationToken))
        {
            var service = seen.GetString(0);
            services.Add(new ServiceSummary(service, counts.GetValueOrDefault(service, LevelCounts.Zero), new DateTime(seen.GetInt64(1), DateTimeKind.Utc)));
        }

        return services;
    }

    public async Task<RetentionResult> ApplyRetentionAsync(RetentionOptions retention, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        long logs = 0, buckets = 0;
        foreach (var level in LogEventLevels.All)
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            // Only logs the rollups have counted: statistics must not lose a log that expired before it was counted.
            delete.CommandText = """
                DELETE FROM logs WHERE level = $level AND ts < $cutoff
                AND seq <= (SELECT watermark FROM rollup_state WHERE name = 'logs')
                """;
            delete.Parameters.AddWithValue("$level", (int)level);
            delete.Parameters.AddWithValue("$cutoff", (now - TimeSpan.FromDays(retention.DaysFor(level))).Ticks);
            logs += await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var interval in StatsIntervals.All)
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = $"DELETE FROM {interval.CollectionName()} WHERE bucket < $cutoff";
            delete.Parameters.AddWithValue("$cutoff", (now - TimeSpan.FromDays(retention.DaysFor(interval))).Ticks);
            buckets += await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var forget = connection.CreateCommand())
        {
            // A service leaves the list when its last hourly bucket expires.
            forget.Transaction = transaction;
            forget.CommandText = "DELETE FROM log_services WHERE last_ts < $cutoff";
            forget.Parameters.AddWithValue("$cutoff", (now - TimeSpan.FromDays(retention.DaysFor(StatsInterval.OneHour))).Ticks);
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new RetentionResult(logs, buckets);
    }

    private static LevelCounts ReadCounts(SqliteDataReader reader, int first) => new(
        reader.GetInt64(first), reader.GetInt64(first + 1), reader.GetInt64(first + 2),
        reader.GetInt64(first + 3), reader.GetInt64(first + 4), reader.GetInt64(first + 5));

    private static async Task<long> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
