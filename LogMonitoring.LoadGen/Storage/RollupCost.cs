using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace LogMonitoring.LoadGen.Storage;

/// <summary>
/// The time of the timed cycles, and the longest a writer waited for the write lock during each: how long the
/// cycle held the lock the persisters need, which is what a cycle takes from their drain.
/// </summary>
public sealed record RollupCostSummary(
    string DataSource, long Stored, int NewPerCycle, int Cycles, double MeanCycleMilliseconds, double MedianCycleMilliseconds, double MaxCycleMilliseconds,
    double MeanWriterWaitMilliseconds, double MedianWriterWaitMilliseconds, double MaxWriterWaitMilliseconds);

/// <summary>
/// What one rollup cycle costs with a given amount already stored: fills the embedded store, rolls it up,
/// then times cycles that each fold in the same number of new logs. Run it at two stored volumes to see
/// that the cost follows the new logs, not the stored ones. While a cycle runs, a writer on its own
/// connection takes and releases the write lock every millisecond, as a persister waiting for its turn does.
/// </summary>
public sealed class RollupCost(string dataSource, int eventBytes)
{
    public async Task<RollupCostSummary> RunAsync(int stored, int newPerCycle, int cycles, CancellationToken cancellationToken)
    {
        var store = new SqliteLogStore($"Data Source={dataSource}") { MaxLogsPerCycle = 1_000_000 };
        await store.InitializeAsync(cancellationToken);
        var factory = new SyntheticEvents(eventBytes);
        var random = new Random(42);
        var now = DateTime.UtcNow;

        // Stored history spread over six hours, so every bucket size has many buckets.
        for (var written = 0; written < stored; written += 5000)
        {
            var batch = Enumerable.Range(0, Math.Min(5000, stored - written))
                .Select(_ => factory.NextAccepted(now - TimeSpan.FromSeconds(random.Next(6 * 3600))))
                .ToList();
            await store.WriteBatchAsync(batch, cancellationToken);
        }

        while (!(await store.RollUpAsync("rollup-cost", cancellationToken)).CaughtUp)
        {
        }

        var timings = new List<double>();
        var waits = new List<double>();
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            // New logs as they arrive under load: mostly this minute, some late.
            var fresh = Enumerable.Range(0, newPerCycle)
                .Select(i => factory.NextAccepted(i % 10 == 0 ? now - TimeSpan.FromSeconds(random.Next(3 * 3600)) : DateTime.UtcNow))
                .ToList();
            await store.WriteBatchAsync(fresh, cancellationToken);
            using var cycleDone = new CancellationTokenSource();
            var writer = Task.Run(() => LongestWriterWait(dataSource, cycleDone.Token), cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var result = await store.RollUpAsync("rollup-cost", cancellationToken);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await cycleDone.CancelAsync();
            waits.Add((await writer).TotalMilliseconds);
            if (result.LogsCounted != newPerCycle)
            {
                throw new InvalidOperationException($"cycle {cycle} counted {result.LogsCounted} logs, not {newPerCycle}");
            }
        }

        timings.Sort();
        waits.Sort();
        return new RollupCostSummary(dataSource, stored, newPerCycle, cycles,
            Math.Round(timings.Average(), 2), Math.Round(timings[timings.Count / 2], 2), Math.Round(timings[^1], 2),
            Math.Round(waits.Average(), 2), Math.Round(waits[waits.Count / 2], 2), Math.Round(waits[^1], 2));
    }

    /// <summary>
    /// Takes and releases the write lock until <paramref name="done"/>, asking every millisecond while another
    /// connection holds it (as the store's writers do), and returns the longest wait.
    /// </summary>
    private static TimeSpan LongestWriterWait(string dataSource, CancellationToken done)
    {
        using var connection = new SqliteConnection($"Data Source={dataSource};Pooling=False");
        connection.Open();
        // SQLite answers SQLITE_BUSY at once (no busy timeout): the loop below is the wait, at a millisecond's grain.
        var db = connection.Handle!;
        raw.sqlite3_busy_timeout(db, 0);
        var longest = TimeSpan.Zero;
        while (!done.IsCancellationRequested)
        {
            var asked = Stopwatch.GetTimestamp();
            int code;
            while ((code = raw.sqlite3_exec(db, "BEGIN IMMEDIATE")) == raw.SQLITE_BUSY)
            {
                Thread.Sleep(1);
            }

            var waited = Stopwatch.GetElapsedTime(asked);
            if (code != raw.SQLITE_OK)
            {
                throw new InvalidOperationException($"BEGIN IMMEDIATE failed with result code {code}.");
            }

            raw.sqlite3_exec(db, "ROLLBACK");
            longest = waited > longest ? waited : longest;
            Thread.Sleep(1);
        }

        return longest;
    }
}
