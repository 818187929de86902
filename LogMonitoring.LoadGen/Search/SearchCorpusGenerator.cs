using System.Diagnostics;
using System.Globalization;
using System.Text;
using LogMonitoring.Contracts;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.LoadGen.Search;

/// <summary>
/// Fills a new SQLite store with generated logs of realistic cardinality, fast: the store creates its
/// schema, its secondary indexes and text index are set aside while rows are bulk-inserted in large
/// transactions, then the store's own start-up builds them again (and fills the text index) in one pass,
/// which is what a large store upgraded to this version goes through too.
/// </summary>
public sealed class SearchCorpusGenerator(string dataSource, SearchCorpusShape shape)
{
    public async Task<TimeSpan> WriteAsync(long events, DateTime end, Action<string> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var store = new SqliteLogStore($"Data Source={dataSource}") { Search = SearchBenchmark.Options };
        await store.InitializeAsync(cancellationToken);
        await using (var connection = new SqliteConnection($"Data Source={dataSource}"))
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, await SecondaryObjectsDropSqlAsync(connection, cancellationToken) + "PRAGMA synchronous = OFF;", cancellationToken);
            await InsertAsync(connection, events, end, progress, cancellationToken);
        }

        progress($"inserted {events:N0} logs in {clock.Elapsed.TotalSeconds:N0} s; building indexes and the text index");
        await store.InitializeAsync(cancellationToken);
        progress($"store ready after {clock.Elapsed.TotalSeconds:N0} s");
        return clock.Elapsed;
    }

    /// <summary>Drops every index, trigger and the text table on <c>logs</c> (the store recreates them).</summary>
    private static async Task<string> SecondaryObjectsDropSqlAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var drop = new StringBuilder();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name FROM sqlite_master WHERE (tbl_name = 'logs' AND type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%') OR name = 'logs_text'";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            drop.Append(CultureInfo.InvariantCulture, $"DROP {reader.GetString(0).ToUpperInvariant()} IF EXISTS \"{reader.GetString(1)}\";");
        }

        return drop.ToString();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task InsertAsync(SqliteConnection connection, long events, DateTime end, Action<string> progress, CancellationToken cancellationToken)
    {
        const int PerTransaction = 100_000;
        var random = new Random(shape.Seed);
        var start = end - shape.Spread;
        var step = shape.Spread.Ticks / Math.Max(1, events);
        var storedAt = DateTime.UtcNow.Ticks;
        for (long done = 0; done < events;)
        {
            await using var transaction = connection.BeginTransaction();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO logs (id, source_id, ts, level, service, message, metadata, host, trace_id, span_id, received_at, stored_at)
                VALUES ($id, $source_id, $ts, $level, $service, $message, $metadata, $host, $trace_id, $span_id, $received_at, $stored_at)
                """;
            var p = new[] { "$id", "$source_id", "$ts", "$level", "$service", "$message", "$metadata", "$host", "$trace_id", "$span_id", "$received_at", "$stored_at" }
                .Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            insert.Prepare();
            var batch = Math.Min(PerTransaction, events - done);
            for (var i = 0; i < batch; i++, done++)
            {
                // Arrival order is time order, give or take a minute; a few logs arrive hours late.
                var ts = start.Ticks + (done * step) + random.NextInt64(TimeSpan.TicksPerMinute);
                if (random.Next(1000) == 0)
                {
                    ts -= random.NextInt64(TimeSpan.TicksPerHour * 6);
                }

                var log = shape.Log(random, done, new DateTime(Math.Min(ts, end.Ticks - 1), DateTimeKind.Utc));
                p[0].Value = log.Id;
                p[1].Value = log.SourceId;
                p[2].Value = log.Timestamp.Ticks;
                p[3].Value = (int)log.Level;
                p[4].Value = log.Service;
                p[5].Value = log.Message;
                p[6].Value = log.MetadataJson;
                p[7].Value = log.Host;
                p[8].Value = (object?)log.TraceId ?? DBNull.Value;
                p[9].Value = (object?)log.SpanId ?? DBNull.Value;
                p[10].Value = log.Timestamp.Ticks;
                p[11].Value = storedAt;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            if (done % 1_000_000 == 0 || done == events)
            {
                progress($"{done:N0} logs inserted");
            }
        }
    }
}

/// <summary>
/// What the generated logs look like: tens of services, thousands of hosts, millions of trace and user
/// ids, fifty routes, a vocabulary with common and rare words, spread evenly over the last 30 days.
/// </summary>
public sealed class SearchCorpusShape
{
    public int Seed { get; init; } = 16;

    public TimeSpan Spread { get; init; } = TimeSpan.FromDays(30);

    public int Services { get; init; } = 40;

    public int Hosts { get; init; } = 3000;

    public int Users { get; init; } = 1_000_000;

    /// <summary>Logs per trace: 10M logs make 2.5M traces.</summary>
    public int LogsPerTrace { get; init; } = 4;

    /// <summary>Appears in about one log in 20,000.</summary>
    public const string RareWord = "zeppelin";

    /// <summary>Appears in about one log in three.</summary>
    public const string CommonWord = "request";

    /// <summary>Inside connection, disconnected and reconnecting: about one log in ten.</summary>
    public const string Substring = "onnecti";

    private static readonly string[] Routes = [.. Enumerable.Range(0, 50).Select(i => $"/api/{new[] { "orders", "users", "cart", "search", "payments" }[i % 5]}/v{i / 5}")];

    private static readonly (LogEventLevel Level, int Weight)[] LevelMix =
        [(LogEventLevel.Debug, 10), (LogEventLevel.Info, 72), (LogEventLevel.Warn, 12), (LogEventLevel.Error, 5), (LogEventLevel.Fatal, 1)];

    private static readonly string[] Templates =
    [
        "request {0} handled in {1} ms", "request {0} failed: upstream timeout after {1} ms", "user {2} signed in from {3}",
        "connection pool exhausted, {1} waiting", "client disconnected after {1} ms", "reconnecting to broker {3} (attempt {4})",
        "cache miss for key {0}", "payment {0} declined: insufficient funds", "order {0} shipped to {3}", "slow query took {1} ms",
        "token refresh for user {2}", "batch of {4} records committed", "retrying request {0} ({4} of 5)", "health check ok",
        "disk usage at {4}% on {3}", "request {0} rejected: rate limit", "session {0} expired", "queue depth {1}",
    ];

    public static string ServiceName(int i) => $"svc-{i:D2}";

    public static string HostName(int i) => $"host-{i:D4}";

    public static string UserId(int i) => $"u{i}";

    public static string TraceId(long trace) => $"{(ulong)trace * 0x9E3779B97F4A7C15UL:x16}{(ulong)(trace + 1) * 0xC2B2AE3D27D4EB4FUL:x16}";

    public LogEvent Log(Random random, long n, DateTime timestamp)
    {
        // Services and users by a skewed draw: a few are busy, most are quiet.
        var service = (int)(Services * Math.Pow(random.NextDouble(), 2));
        var level = PickLevel(random.Next(100));
        var user = (int)(Users * Math.Pow(random.NextDouble(), 1.5));
        var route = Routes[random.Next(Routes.Length)];
        var duration = (int)Math.Exp(2 + (random.NextDouble() * 6));
        var status = level >= LogEventLevel.Error ? 500 + random.Next(4) : level == LogEventLevel.Warn ? 400 + random.Next(30) : 200;
        var message = string.Format(CultureInfo.InvariantCulture, Templates[random.Next(Templates.Length)],
            random.NextInt64(1_000_000_000).ToString("x8", CultureInfo.InvariantCulture), duration, UserId(user), HostName(random.Next(Hosts)), random.Next(1, 100));
        if (random.Next(20_000) == 0)
        {
            message += " (" + RareWord + " mode)";
        }

        var id = $"b{n:x12}-{random.Next():x8}";
        return new LogEvent
        {
            Id = id,
            SourceId = id,
            Timestamp = timestamp,
            Level = level,
            Service = ServiceName(service),
            Message = message,
            MetadataJson = string.Create(CultureInfo.InvariantCulture,
                $$"""{"user_id":"{{UserId(user)}}","route":"{{route}}","status":{{status}},"duration_ms":{{duration}},"region":"eu-west-{{random.Next(1, 4)}}"}"""),
            Host = HostName(random.Next(Hosts)),
            TraceId = TraceId(n / LogsPerTrace),
            SpanId = $"{random.NextInt64():x16}",
        };
    }

    private static LogEventLevel PickLevel(int percent)
    {
        foreach (var (level, weight) in LevelMix)
        {
            if (percent < weight)
            {
                return level;
            }

            percent -= weight;
        }

        return LogEventLevel.Fatal;
    }
}
