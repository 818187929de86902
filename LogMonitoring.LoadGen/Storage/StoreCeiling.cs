using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;

namespace LogMonitoring.LoadGen.Storage;

public sealed record StoreCeilingSummary(
    string DataSource, long Events, long Inserted, int BatchSize, double DurationSeconds, double InsertedPerSecond, double CpuMicrosecondsPerEvent,
    TextIndexSummary? TextIndex = null);

/// <summary>The text index's cycles over what the ceiling wrote: its batch size, and its own rate and CPU per log.</summary>
public sealed record TextIndexSummary(int BatchSize, long Indexed, int Cycles, double DurationSeconds, double IndexedPerSecond, double CpuMicrosecondsPerEvent);

/// <summary>
/// The most the embedded store takes: the same events written straight through
/// <see cref="SqliteLogStore.WriteBatchAsync"/> in the persister's batch size, with nothing in front; then
/// the text index's cycles (<see cref="SqliteLogStore.IndexTextAsync"/>) over them, timed on their own.
/// </summary>
public sealed class StoreCeiling(string dataSource, int eventBytes, int batchSize, int? textIndexBatchSize = null)
{
    public async Task<StoreCeilingSummary> RunAsync(int events, CancellationToken cancellationToken)
    {
        var store = textIndexBatchSize is { } textBatch
            ? new SqliteLogStore($"Data Source={dataSource}") { TextIndexBatchSize = textBatch }
            : new SqliteLogStore($"Data Source={dataSource}");

        await store.InitializeAsync(cancellationToken);

        var batches = BuildBatches(eventBytes, batchSize, events);

        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long inserted = 0;
        foreach (var batch in batches)
        {
            inserted += (await store.WriteBatchAsync(batch, cancellationToken)).Inserted;
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new StoreCeilingSummary(dataSource, events, inserted, batchSize, Math.Round(elapsed, 3), Math.Round(inserted / elapsed, 1),
            Math.Round(cpu.TotalMicroseconds / Math.Max(1, inserted), 2), await IndexTextAsync(store, cancellationToken));
    }

    private static async Task<TextIndexSummary> IndexTextAsync(SqliteLogStore store, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long indexed = 0;
        var cycles = 0;
        TextIndexCycle cycle;
        do
        {
            cycle = await store.IndexTextAsync(cancellationToken);
            indexed += cycle.LogsIndexed;
            cycles++;
        }
        while (!cycle.CaughtUp);

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new TextIndexSummary(store.TextIndexBatchSize, indexed, cycles, Math.Round(elapsed, 3), Math.Round(indexed / elapsed, 1),
            Math.Round(cpu.TotalMicroseconds / Math.Max(1, indexed), 2));
    }

    /// <summary>
    /// The events of a run, built before the clock starts (ids and JSON are the producer's cost, not the
    /// store's); the floor (<see cref="StoreFloor"/>) writes the same kind of rows.
    /// </summary>
    internal static List<IReadOnlyList<LogEvent>> BuildBatches(int eventBytes, int batchSize, int events)
    {
        var factory = new SyntheticEvents(eventBytes);
        var now = DateTime.UtcNow;
        return Enumerable.Range(0, (events + batchSize - 1) / batchSize)
            .Select(b => (IReadOnlyList<LogEvent>)Enumerable.Range(0, Math.Min(batchSize, events - (b * batchSize))).Select(_ => factory.NextAccepted(now)).ToList())
            .ToList();
    }
}
