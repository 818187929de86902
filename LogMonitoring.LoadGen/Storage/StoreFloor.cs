using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace LogMonitoring.LoadGen.Storage;

/// <summary>
/// The floor under the store ceiling: the same rows written into the same schema (tables, indexes, triggers
/// and the functions they call, made by <see cref="SqliteLogStore.InitializeAsync"/>) with SQLite's own API and nothing of ours in
/// between: one prepared statement bound, stepped and reset per row, one transaction per batch. What the store
/// ceiling loses against it is the cost of our layer and of ADO.NET; what both lose against an empty table is SQLite's.
/// </summary>
public sealed class StoreFloor(string dataSource, int eventBytes, int batchSize)
{
    // The store's own connection settings (SqliteLogStore): durable commits and a 64 MiB page cache.
    private const string Pragmas = "PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;";

    private const string InsertSql = """
        INSERT INTO logs (id, source_id, ts, level, service, message, metadata, host, trace_id, span_id, received_at, stored_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (id) DO NOTHING
        """;

    public async Task<StoreCeilingSummary> RunAsync(int events, CancellationToken cancellationToken)
    {
        await new SqliteLogStore($"Data Source={dataSource}").InitializeAsync(cancellationToken);
        var batches = StoreCeiling.BuildBatches(eventBytes, batchSize, events);

        await using var connection = new SqliteConnection($"Data Source={dataSource}");
        await connection.OpenAsync(cancellationToken);
        SqliteLogStore.RegisterSearchFunctions(connection);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = Pragmas;
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, InsertSql, out var insert));
        using (insert)
        {
            var started = Stopwatch.GetTimestamp();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long inserted = 0;
            foreach (var batch in batches)
            {
                Check(db, raw.sqlite3_exec(db, "BEGIN IMMEDIATE"));
                var now = DateTime.UtcNow.Ticks;
                foreach (var e in batch)
                {
                    Bind(insert, 1, e.Id);
                    Bind(insert, 2, e.SourceId);
                    raw.sqlite3_bind_int64(insert, 3, e.Timestamp.Ticks);
                    raw.sqlite3_bind_int64(insert, 4, (int)e.Level);
                    Bind(insert, 5, e.Service);
                    Bind(insert, 6, e.Message);
                    Bind(insert, 7, e.MetadataJson);
                    Bind(insert, 8, e.Host);
                    Bind(insert, 9, e.TraceId);
                    Bind(insert, 10, e.SpanId);
                    if (e.ReceivedAt is { } receivedAt)
                    {
                        raw.sqlite3_bind_int64(insert, 11, receivedAt.Ticks);
                    }
                    else
                    {
                        raw.sqlite3_bind_null(insert, 11);
                    }

                    raw.sqlite3_bind_int64(insert, 12, now);
                    if (raw.sqlite3_step(insert) != raw.SQLITE_DONE)
                    {
                        throw new InvalidOperationException($"insert failed: {raw.sqlite3_errmsg(db).utf8_to_string()}");
                    }

                    inserted += raw.sqlite3_changes(db);
                    raw.sqlite3_reset(insert);
                }

                Check(db, raw.sqlite3_exec(db, "COMMIT"));
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            return new StoreCeilingSummary(dataSource, events, inserted, batchSize, Math.Round(elapsed, 3), Math.Round(inserted / elapsed, 1),
                Math.Round(cpu.TotalMicroseconds / Math.Max(1, inserted), 2));
        }
    }

    private static void Bind(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(statement, index);
        }
        else
        {
            raw.sqlite3_bind_text(statement, index, value);
        }
    }

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite error {result}: {raw.sqlite3_errmsg(db).utf8_to_string()}");
        }
    }
}
