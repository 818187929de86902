using System.Globalization;
using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// Rollups for the embedded store. Each cycle counts the logs inserted since the last one (by
/// <c>seq</c>) into all three bucket tables and moves the watermark, in one IMMEDIATE transaction:
/// SQLite's write lock makes concurrent cycles from several stats replicas take turns, and a log is
/// counted exactly once because its seq is folded in exactly once. Duplicates never become rows.
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

    public async Task<RollupCycleResult> RollUpAsync(string replica, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // A plain read first: an idle cycle must not take the write lock the persisters need.
        await using (var peek = connection.CreateCommand())
        {
            peek.CommandText = "SELECT (SELECT COALESCE(MAX(seq), 0) FROM logs) > (SELECT watermark FROM rollup_state WHERE name = 'logs')";
            if (Convert.ToInt64(await peek.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
            {
                return new RollupCycleResult(Ran: true, CaughtUp: true, 0, TimeSpan.Zero, LogsCounted: 0);
            }
        }

        await using var transaction = connection.BeginTransaction(deferred: false);

        var watermark = await ScalarAsync(connection, transaction, "SELECT watermark FROM rollup_state WHERE name = 'logs'", cancellationToken);
        var newest = await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(seq), 0) FROM logs", cancellationToken);
        if (newest <= watermark)
        {
            await transaction.CommitAsync(cancellationToken);
            return new RollupCycleResult(Ran: true, CaughtUp: true, 0, TimeSpan.Zero, LogsCounted: 0);
        }

        var upTo = Math.Min(newest, watermark + MaxLogsPerCycle);
        var touched = 0;
        foreach (var interval in StatsIntervals.All)
        {
            await using var fold = connection.CreateCommand();
            fold.Transaction = transaction;
            // Table names come from the enum, never from input; the values are parameters.
            fold.CommandText = $"""
                INSERT INTO {interval.CollectionName()} (bucket, service, trace, debug, info, warn, error, fatal, last_ts)
                SELECT ts - (ts % $bucket), service,
                       SUM(level = 0), SUM(level = 1), SUM(level = 2), SUM(level = 3), SUM(level = 4), SUM(level = 5),
                       MAX(ts)
                FROM logs WHERE seq > $from AND seq <= $to
                GROUP BY 1, 2
                ON CONFLICT (bucket, service) DO UPDATE SET
                    trace = trace + excluded.trace, debug = debug + excluded.debug, info = info + excluded.info,
                    warn = warn + excluded.warn, error = error + excluded.error, fatal = fatal + excluded.fatal,
                    last_ts = MAX(last_ts, excluded.last_ts)
                """;
            fold.Parameters.AddWithValue("$bucket", interval.Length().Ticks);
            fold.Parameters.AddWithValue("$from", watermark);
            fold.Parameters.AddWithValue("$to", upTo);
            var changed = await fold.ExecuteNonQueryAsync(cancellationToken);
            if (interval == StatsInterval.OneMinute)
            {
                touched = changed;
            }
        }

        await using (var seen = connection.CreateCommand())
        {
            // The services list with each one's newest log, so reading it never sums the whole history.
            seen.Transaction = transaction;
            seen.CommandText = """
                INSERT INTO log_services (service, last_ts)
                SELECT service, MAX(ts) FROM logs WHERE seq > $from AND seq <= $to GROUP BY service
                ON CONFLICT (service) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts)
                """;
            seen.Parameters.AddWithValue("$from", watermark);
            seen.Parameters.AddWithValue("$to", upTo);
            await seen.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var advance = connection.CreateCommand())
        {
            advance.Transaction = transaction;
            advance.CommandText = "UPDATE rollup_state SET watermark = $to, updated_at = $now WHERE name = 'logs'";
            advance.Parameters.AddWithValue("$to", upTo);
            advance.Parameters.AddWithValue("$now", DateTime.UtcNow.Ticks);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        // Freshness: how long the oldest log not yet counted has been waiting (zero when none is).
        var lag = TimeSpan.Zero;
        if (upTo < newest)
        {
            var waitingSince = await ScalarAsync(connection, transaction, $"SELECT stored_at FROM logs WHERE seq > {upTo.ToString(CultureInfo.InvariantCulture)} ORDER BY seq LIMIT 1", cancellationToken);
            lag = TimeSpan.FromTicks(Math.Max(0, DateTime.UtcNow.Ticks - waitingSince));
        }

        await transaction.CommitAsync(cancellationToken);
        // The write lock kept new logs out while the cycle ran: what it left behind is all it did not reach.
        return new RollupCycleResult(Ran: true, CaughtUp: upTo == newest, touched, lag, LogsCounted: upTo - watermark);
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
