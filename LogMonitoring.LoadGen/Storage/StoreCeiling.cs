using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using MongoDB.Driver;

namespace LogMonitoring.LoadGen.Storage;

public sealed record StoreCeilingSummary(
    string DataSource, long Events, long Inserted, int BatchSize, double DurationSeconds, double InsertedPerSecond, double CpuMicrosecondsPerEvent,
    TextIndexSummary? TextIndex = null)
{
    /// <summary>The store written: sqlite or mongodb.</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>Batches written at once (each by its own writer, as persister replicas do).</summary>
    public int Writers { get; init; } = 1;
}

/// <summary>The text index's cycles over what the ceiling wrote: its batch size, and its own rate and CPU per log.</summary>
public sealed record TextIndexSummary(int BatchSize, long Indexed, int Cycles, double DurationSeconds, double IndexedPerSecond, double CpuMicrosecondsPerEvent);

/// <summary>
/// The most a store takes: the same events written straight through its <see cref="ILogStore.WriteBatchAsync"/>
/// in the persister's batch size, with nothing in front. The store is the one a connection string names, as
/// the services read it: the embedded SQLite file, or a MongoDB database (in CI, or on a user's cluster).
/// The CPU figure is this process's: for MongoDB that is the client's share (mapping, BSON, compression), not the server's.
/// SQLite fills its text index behind the writes: its cycles (<see cref="SqliteLogStore.IndexTextAsync"/>) over
/// what was written are then timed on their own.
/// </summary>
public sealed class StoreCeiling(string connectionString, int eventBytes, int batchSize, int writers = 1, int? textIndexBatchSize = null)
{
    public async Task<StoreCeilingSummary> RunAsync(int events, CancellationToken cancellationToken)
    {
        var store = textIndexBatchSize is { } textBatch && !IsMongoDb(connectionString)
            ? new SqliteLogStore(connectionString) { TextIndexBatchSize = textBatch }
            : LogStoreExtensions.Create(connectionString);
        await store.InitializeAsync(cancellationToken);
        var before = await store.CountAsync(new LogQuery(), cancellationToken);
        if (before > 0)
        {
            // Test events must not land among real logs, and a fuller store measures something else.
            throw new StoreNotEmptyException($"{Describe(connectionString)} already holds {before:N0} logs: give the store ceiling a new file or database.");
        }

        var batches = BuildBatches(eventBytes, batchSize, events);

        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long inserted = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = writers, CancellationToken = cancellationToken }, async (batch, ct) =>
            Interlocked.Add(ref inserted, (await store.WriteBatchAsync(batch, ct)).Inserted));

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new StoreCeilingSummary(Describe(connectionString), events, inserted, batchSize, Math.Round(elapsed, 3), Math.Round(inserted / elapsed, 1),
            Math.Round(cpu.TotalMicroseconds / Math.Max(1, inserted), 2), store is SqliteLogStore sqlite ? await IndexTextAsync(sqlite, cancellationToken) : null)
        {
            Store = store.Kind,
            Writers = writers,
        };
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

    private static bool IsMongoDb(string connectionString) => connectionString.StartsWith("mongodb", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Removes what a run wrote: the MongoDB database, or the SQLite file. Only ever called after a run, which
    /// refuses a store that already held logs, so it never removes anything the run did not fill.
    /// </summary>
    public static async Task DropAsync(string connectionString, CancellationToken cancellationToken)
    {
        if (IsMongoDb(connectionString))
        {
            var url = MongoUrl.Create(connectionString);
            await new MongoClient(url).DropDatabaseAsync(url.DatabaseName, cancellationToken);
            return;
        }

        SqliteConnection.ClearAllPools();
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(path);
        }
    }

    /// <summary>Where the events went, without the credentials a MongoDB connection string may hold.</summary>
    internal static string Describe(string connectionString)
    {
        if (IsMongoDb(connectionString))
        {
            var url = MongoUrl.Create(connectionString);
            return $"mongodb://{string.Join(",", url.Servers)}/{url.DatabaseName}" + (url.Compressors.Any() ? $"?compressors={string.Join(",", url.Compressors.Select(c => c.Type))}" : "");
        }

        return new SqliteConnectionStringBuilder(connectionString).DataSource;
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

/// <summary>The store to fill already holds logs.</summary>
public sealed class StoreNotEmptyException(string message) : Exception(message);
