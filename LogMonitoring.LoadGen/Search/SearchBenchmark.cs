using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.LoadGen.Search;

public sealed record Percentiles(double P50, double P99, double Max);

public sealed record SearchQueryResult(string Name, string What, string Query, long Results, Percentiles Ours, Percentiles Floor, double RatioP50, double RatioP99);

public sealed record SearchBenchmarkSummary(
    string DataSource, long Events, double GenerateSeconds, long BytesOnDisk, long TextIndexBytes,
    double MegabytesPerMillion, double MegabytesPerMillionWithoutText, int Repeat, IReadOnlyList<SearchQueryResult> Queries);

/// <summary>
/// Times representative queries on a large store through the store's own code (parse, compile, run, map),
/// each next to the same question written by hand in SQL against the raw tables: the floor.
/// </summary>
public sealed class SearchBenchmark(string dataSource, int repeat)
{
    public static SearchOptions Options => new() { IndexedFields = ["user_id"], QueryTimeout = TimeSpan.FromMinutes(5) };

    private sealed record Case(string Name, string What, string Query, Func<Task<long>> Ours, Func<SqliteConnection, Task<long>> Floor);

    public async Task<SearchBenchmarkSummary> RunAsync(double generateSeconds, Action<string> progress, CancellationToken cancellationToken)
    {
        var store = new SqliteLogStore($"Data Source={dataSource}") { Search = Options };
        await store.InitializeAsync(cancellationToken);
        await using var connection = new SqliteConnection($"Data Source={dataSource};Mode=ReadOnly");
        await connection.OpenAsync(cancellationToken);
        var (events, newest) = await ScalarsAsync(connection, cancellationToken);
        var hour = newest.AddHours(-1);
        var day = newest.AddDays(-1);
        var week = newest.AddDays(-7);

        // Values that exist: a busy service, a trace and a user from the last day, a cursor 1,000 pages deep.
        var trace = await TextAsync(connection, "SELECT trace_id FROM logs WHERE ts >= $a ORDER BY ts DESC LIMIT 1 OFFSET 300", day.Ticks, cancellationToken);
        var user = await TextAsync(connection, "SELECT json_extract(metadata, '$.\"user_id\"') FROM logs WHERE ts >= $a ORDER BY ts DESC LIMIT 1 OFFSET 500", day.Ticks, cancellationToken);
        // A page 1,000 pages deep (of 100), or half-way down on a store too small for that.
        var depth = (int)Math.Min(100_000, await ScalarAsync(connection, "SELECT COUNT(*) FROM logs WHERE service = 'svc-03'", cancellationToken) / 2);
        var deep = await CursorAsync(connection, "svc-03", depth, cancellationToken);
        var now = newest.AddSeconds(1);

        LogQuery Parse(string q, DateTime? start = null, DateTime? end = null) => new() { Where = QueryParser.ParseValid(q, now), Start = start, End = end };

        var cases = new List<Case>
        {
            Page("service-level-hour", "service + level, first page of the last hour", "service:svc-01 AND level:ERROR", Parse("service:svc-01 AND level:ERROR", hour), null,
                "service = $a AND level = 4 AND ts >= $b", "svc-01", hour.Ticks),
            Page("trace", "one trace_id", $"trace_id:{trace}", Parse($"trace_id:{trace}"), null, "trace_id = $a", trace),
            Page("user-7d", "one metadata.user_id over 7 days (indexed field)", $"user_id:{user}", Parse($"user_id:{user}", week), null,
                "json_extract(metadata, '$.\"user_id\"') = $a AND json_type(metadata, '$.\"user_id\"') NOT IN ('true', 'false', 'object', 'array') AND ts >= $b", user, week.Ticks),
            Page("rare-word", "a rare word (1 log in 20,000), first page", SearchCorpusShape.RareWord, Parse(SearchCorpusShape.RareWord), null,
                "seq IN (SELECT rowid FROM logs_text WHERE logs_text MATCH $a)", "\"" + SearchCorpusShape.RareWord + "\""),
            Page("common-word", "a common word (1 log in 5), first page", SearchCorpusShape.CommonWord, Parse(SearchCorpusShape.CommonWord), null,
                "seq IN (SELECT rowid FROM logs_text WHERE logs_text MATCH $a)", "\"" + SearchCorpusShape.CommonWord + "\""),
            Page("substring", "a substring inside words, last day, first page", SearchCorpusShape.Substring, Parse(SearchCorpusShape.Substring, day), null,
                "seq IN (SELECT rowid FROM logs_text WHERE logs_text MATCH $a) AND ts >= $b", "\"" + SearchCorpusShape.Substring + "\"", day.Ticks),
            Page("not", "NOT: errors of the last hour outside the busiest service", "level:ERROR AND NOT service:svc-00", Parse("level:ERROR AND NOT service:svc-00", hour), null,
                "level = 4 AND NOT coalesce(service = $a, 0) AND ts >= $b", "svc-00", hour.Ticks),
            Page("deep-cursor", $"a page {depth / 100:N0} pages deep (cursor) of one service", "service:svc-03", Parse("service:svc-03"), deep,
                "service = $a AND ts <= $c AND (ts < $c OR id < $d)", "svc-03"),
        };

        cases.Add(new Case("top-endpoint-day", "count by endpoint (route) of the errors of a day, top 10", "level:ERROR,FATAL | top route",
            async () => (await store.TopAsync(Parse("level:ERROR,FATAL", day, now), FieldRef.Metadata("route"), 10, cancellationToken)).Count,
            c => CountRowsAsync(c, """
                SELECT json_extract(metadata, $p) AS v, COUNT(*) AS n FROM logs
                WHERE level IN (4, 5) AND ts >= $a AND ts < $b AND json_type(metadata, $p) IN ('text', 'integer', 'real', 'true', 'false')
                GROUP BY v ORDER BY n DESC, v LIMIT 10
                """, cancellationToken, ("$a", day.Ticks), ("$b", now.Ticks), ("$p", "$.\"route\""))));
        cases.Add(new Case("histogram-day", "per-minute histogram of a day, all logs", "(all) | histogram 1m",
            async () => (await store.HistogramAsync(new LogQuery { Start = day, End = now }, TimeSpan.FromMinutes(1), cancellationToken)).Count,
            c => CountRowsAsync(c, "SELECT ts - (ts % $m) AS bucket, level, COUNT(*) FROM logs WHERE ts >= $a AND ts < $b GROUP BY bucket, level",
                cancellationToken, ("$a", day.Ticks), ("$b", now.Ticks), ("$m", TimeSpan.TicksPerMinute))));
        cases.Add(new Case("count-service-day", "count of one service's logs in a day", "service:svc-05 (count)",
            () => store.CountAsync(Parse("service:svc-05", day, now), cancellationToken),
            c => ScalarAsync(c, "SELECT COUNT(*) FROM logs WHERE service = $a AND ts >= $b AND ts < $c", cancellationToken, ("$a", "svc-05"), ("$b", day.Ticks), ("$c", now.Ticks))));

        var results = new List<SearchQueryResult>();
        foreach (var item in cases)
        {
            progress($"timing {item.Name}: {item.Query}");
            var (ours, count) = await TimeAsync(item.Ours);
            var (floor, floorCount) = await TimeAsync(() => item.Floor(connection));
            if (count != floorCount)
            {
                throw new InvalidOperationException($"{item.Name}: the store returned {count} rows, the hand-written SQL {floorCount}.");
            }

            results.Add(new SearchQueryResult(item.Name, item.What, item.Query, count, ours, floor,
                Math.Round(ours.P50 / Math.Max(floor.P50, 0.001), 2), Math.Round(ours.P99 / Math.Max(floor.P99, 0.001), 2)));
        }

        var bytes = new FileInfo(dataSource).Length;
        var textBytes = await TextIndexBytesAsync(connection, cancellationToken);
        var millions = events / 1_000_000.0;
        return new SearchBenchmarkSummary(dataSource, events, Math.Round(generateSeconds, 1), bytes, textBytes,
            Math.Round(bytes / 1048576.0 / millions, 1), Math.Round((bytes - textBytes) / 1048576.0 / millions, 1), repeat, results);

        Case Page(string name, string what, string text, LogQuery query, LogCursor? after, string where, params object[] values) => new(
            name, what, text,
            async () => (await store.SearchAsync(query, 100, after, cancellationToken)).Items.Count,
            c =>
            {
                var parameters = values.Select((v, i) => ($"${(char)('a' + i)}", v)).ToList();
                if (after is not null)
                {
                    parameters.Add(("$c", after.Timestamp.Ticks));
                    parameters.Add(("$d", after.Id));
                }

                return MinusOne(CountRowsAsync(c, $"""
                    SELECT id, source_id, ts, level, service, message, metadata, host, trace_id, span_id, received_at
                    FROM logs WHERE {where} ORDER BY ts DESC, id DESC LIMIT 101
                    """, cancellationToken, [.. parameters]));
            });
    }

    // A page asks for limit + 1 rows to know whether there is a next one; the API returns limit.
    private static async Task<long> MinusOne(Task<long> rows) => Math.Min(100, await rows);

    /// <summary>
    /// Two warm-up runs, then <c>repeat</c> timed ones, except that a slow query stops being repeated once
    /// its timed runs add up to <see cref="SampleBudget"/> (at least three), and one whose first run took
    /// longer than that is timed by that run alone: a hand-written floor that sorts millions of matches
    /// would otherwise hold the benchmark for hours at 10,000,000 logs.
    /// </summary>
    private async Task<(Percentiles Timing, long Result)> TimeAsync(Func<Task<long>> run)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await run();
        var first = Stopwatch.GetElapsedTime(started);
        if (first > SampleBudget)
        {
            var only = Math.Round(first.TotalMilliseconds, 2);
            return (new Percentiles(only, only, only), result);
        }

        result = await run();
        var samples = new List<double>(repeat);
        var spent = TimeSpan.Zero;
        while (samples.Count < repeat && (samples.Count < 3 || spent < SampleBudget))
        {
            started = Stopwatch.GetTimestamp();
            result = await run();
            var elapsed = Stopwatch.GetElapsedTime(started);
            spent += elapsed;
            samples.Add(elapsed.TotalMilliseconds);
        }

        samples.Sort();
        return (new Percentiles(Math.Round(Quantile(samples, 0.5), 2), Math.Round(Quantile(samples, 0.99), 2), Math.Round(samples[^1], 2)), result);
    }

    private static readonly TimeSpan SampleBudget = TimeSpan.FromSeconds(30);

    private static double Quantile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static async Task<long> CountRowsAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        long rows = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Read every column, as the store does to map a row.
            for (var i = 0; i < reader.FieldCount; i++)
            {
                _ = reader.GetValue(i);
            }

            rows++;
        }

        return rows;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(long Events, DateTime Newest)> ScalarsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var events = await ScalarAsync(connection, "SELECT MAX(seq) FROM logs", cancellationToken);
        var newest = await ScalarAsync(connection, "SELECT MAX(ts) FROM logs", cancellationToken);
        return (events, new DateTime(newest, DateTimeKind.Utc));
    }

    private static async Task<string> TextAsync(SqliteConnection connection, string sql, long a, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$a", a);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<LogCursor> CursorAsync(SqliteConnection connection, string service, int offset, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ts, id FROM logs WHERE service = $s ORDER BY ts DESC, id DESC LIMIT 1 OFFSET $o";
        command.Parameters.AddWithValue("$s", service);
        command.Parameters.AddWithValue("$o", offset);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LogCursor(new DateTime(reader.GetInt64(0), DateTimeKind.Utc), reader.GetString(1))
            : throw new InvalidOperationException($"{service} has fewer than {offset} logs.");
    }

    /// <summary>The pages of the text index's tables (SQLite's dbstat), or the sum of its blobs where dbstat is missing.</summary>
    private static async Task<long> TextIndexBytesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await ScalarAsync(connection, "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'logs_text%'", cancellationToken);
        }
        catch (SqliteException)
        {
            return await ScalarAsync(connection, "SELECT (SELECT COALESCE(SUM(length(block)), 0) FROM logs_text_data) + (SELECT COALESCE(SUM(length(sz)), 0) FROM logs_text_docsize)", cancellationToken);
        }
    }
}
