using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.Storage.Sqlite;

namespace LogMonitoring.LoadGen.Storage;

/// <summary>One stretch of a fill: the rows the store held before and after it, and how fast it took them.</summary>
public sealed record StoreFillSegment(long RowsBefore, long RowsAfter, double InsertedPerSecond, double CpuMicrosecondsPerEvent);

public sealed record StoreFillSummary(
    string DataSource, long Events, int BatchSize, IReadOnlyList<StoreFillSegment> Segments,
    double LastOverFirst, double SlowestOverFastest, long FileBytes);

/// <summary>
/// Whether the store keeps its write rate as it grows: a new file filled through
/// <see cref="SqliteLogStore.WriteBatchAsync"/> in equal stretches, each timed on its own. Only the
/// writes are timed; each batch is built before its clock starts, so ten million events never sit in
/// memory at once and their making is not counted.
/// </summary>
public sealed class StoreFill(string dataSource, int eventBytes, int batchSize)
{
    public async Task<StoreFillSummary> RunAsync(long events, int segments, Action<StoreFillSegment> progress, CancellationToken cancellationToken)
    {
        var store = new SqliteLogStore($"Data Source={dataSource}");
        await store.InitializeAsync(cancellationToken);
        var factory = new SyntheticEvents(eventBytes);
        var process = Process.GetCurrentProcess();
        var perSegment = (events + segments - 1) / segments;
        var results = new List<StoreFillSegment>();
        long rows = 0;
        while (rows < events)
        {
            var segmentEnd = Math.Min(events, rows + perSegment);
            var before = rows;
            var writing = TimeSpan.Zero;
            var cpu = TimeSpan.Zero;
            while (rows < segmentEnd)
            {
                var batch = Build(factory, (int)Math.Min(batchSize, segmentEnd - rows));
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var started = Stopwatch.GetTimestamp();
                rows += (await store.WriteBatchAsync(batch, cancellationToken)).Inserted;
                writing += Stopwatch.GetElapsedTime(started);
                process.Refresh();
                cpu += process.TotalProcessorTime - cpuBefore;
            }

            var segment = new StoreFillSegment(before, rows, Math.Round((rows - before) / writing.TotalSeconds, 1),
                Math.Round(cpu.TotalMicroseconds / Math.Max(1, rows - before), 2));
            results.Add(segment);
            progress(segment);
        }

        var rates = results.Select(s => s.InsertedPerSecond).ToList();
        return new StoreFillSummary(dataSource, rows, batchSize, results,
            Math.Round(rates[^1] / rates[0], 3), Math.Round(rates.Min() / rates.Max(), 3), FileBytes(dataSource));
    }

    private static List<LogEvent> Build(SyntheticEvents factory, int count)
    {
        var now = DateTime.UtcNow;
        var batch = new List<LogEvent>(count);
        for (var i = 0; i < count; i++)
        {
            batch.Add(factory.NextAccepted(now));
        }

        return batch;
    }

    // The database with its write-ahead log: what the store occupies on disk at the end.
    private static long FileBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
}
